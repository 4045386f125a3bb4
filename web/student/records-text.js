// The words of several 学历 (records.js): the list on 我的, the current
// record's mark on the home page and the switch, Chinese then English.

import { addMessages } from '/common/i18n.js';

addMessages({
  'records.current': '当前',
  'records.current_home': '当前学历',
  'records.hint': '您有多条学历，每条学历分别完成拍照、缴费和查看结果。',
  'records.switch': '切换',
  'records.switch_home': '切换到这条学历',
  'records.switch_confirm': '切换后，拍照、草稿、缴费和结果都按这条学历办理，其他学历的进度会保留。确定切换吗？',
  'records.switch_ok': '切换',
  'records.switching': '正在切换…',
  'records.switched': '已切换学历',
}, {
  'records.current': 'Current',
  'records.current_home': 'Current record',
  'records.hint': 'You have several education records: each has its own photo, payment and result.',
  'records.switch': 'Switch',
  'records.switch_home': 'Switch to this record',
  'records.switch_confirm': 'After switching, photos, drafts, payment and the result are those of this record; the other records keep their progress. Switch?',
  'records.switch_ok': 'Switch',
  'records.switching': 'Switching…',
  'records.switched': 'Record switched',
});
