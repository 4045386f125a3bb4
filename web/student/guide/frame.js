// The camera guide's detector frame (web/student/guide.js): MediaPipe's face
// detection (npm @mediapipe/face_detection, served under /vendor/mediapipe/)
// on the frames the camera page posts, the detections posted back.  Any
// failure (no WebGL, no WebAssembly, the package or its model missing) is
// posted as {failed:true} and the page goes on without hints.
(function () {
  'use strict';
  var parentWin = window.parent;
  var origin = location.origin;
  if (!parentWin || parentWin === window) return; // only as the camera page's frame
  var say = function (m) { parentWin.postMessage(m, origin); };
  var fail = function () { say({ failed: true }); };
  // MediaPipe alerts when it gets no WebGL context: never a dialog here
  window.alert = function () {};
  try {
    var c = document.createElement('canvas');
    if (typeof WebAssembly !== 'object' || !(c.getContext('webgl2') || c.getContext('webgl'))) { fail(); return; }
  } catch (e) { fail(); return; }
  var s = document.createElement('script');
  s.src = '/vendor/mediapipe/face_detection.js';
  s.onerror = fail;
  s.onload = function () {
    var fd, last = null;
    try {
      fd = new window.FaceDetection({ locateFile: function (f) { return '/vendor/mediapipe/' + f; } });
      fd.setOptions({ model: 'short', minDetectionConfidence: 0.5 });
      fd.onResults(function (r) { last = r.detections || []; });
    } catch (e) { fail(); return; }
    fd.initialize().then(function () {
      window.addEventListener('message', function (ev) {
        if (ev.source !== parentWin || ev.origin !== origin || !ev.data || !ev.data.bitmap) return;
        var bm = ev.data.bitmap;
        last = null;
        fd.send({ image: bm }).then(function () {
          var faces = (last || []).map(function (d) {
            var b = d.boundingBox;
            return {
              boundingBox: { xCenter: b.xCenter, yCenter: b.yCenter, width: b.width, height: b.height },
              landmarks: (d.landmarks || []).map(function (p) { return { x: p.x, y: p.y }; }),
            };
          });
          say({ faces: faces });
        }, fail).then(function () { if (bm.close) bm.close(); });
      });
      say({ ready: true });
    }, fail);
  };
  document.body.appendChild(s);
})();
