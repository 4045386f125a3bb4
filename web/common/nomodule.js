// Loaded only by browsers without ES module support (script nomodule):
// tell the student what to do instead of showing a blank page.
(function () {
  var p = document.createElement('p');
  p.style.cssText = 'padding:24px;font-size:16px;line-height:1.6';
  p.appendChild(document.createTextNode('您的浏览器版本过低，请升级微信或使用系统浏览器打开本页面。' +
    ' Your browser is too old: update WeChat or open this page in the system browser.'));
  document.body.insertBefore(p, document.body.firstChild);
}());
