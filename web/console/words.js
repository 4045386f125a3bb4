// Words for the codes the server writes into the audit log and exports: each
// audit action and each field of its before/after, in Chinese and English.
// No imports, so that tests/http/staff.test.mjs can check from Node that
// every action the server's sources write has its words here.

// action -> [zh, en]
export const AUDIT_ACTIONS = {
  login: ['登录', 'Signed in'],
  login_failed: ['登录失败', 'Sign-in failed'],
  password_change: ['修改密码', 'Password changed'],
  staff_create: ['创建账号', 'Account created'],
  'staff.edit': ['修改账号', 'Account changed'],
  'staff.disable': ['停用账号', 'Account disabled'],
  'staff.enable': ['启用账号', 'Account enabled'],
  'staff.password_reset': ['重置账号密码', 'Account password reset'],
  school_create: ['创建学校', 'School created'],
  'school.rename': ['学校改名', 'School renamed'],
  'school.settings': ['修改学校默认设置', 'School defaults changed'],
  'school.notice': ['修改学生须知', 'Notice to students changed'],
  'school.contact': ['修改学生联系方式', 'Contact for students changed'],
  batch_create: ['创建批次', 'Batch created'],
  'batch.update': ['修改批次设置', 'Batch settings changed'],
  'batch.cancel': ['取消批次', 'Batch cancelled'],
  'batch.remind': ['提醒未完成的学生', 'Students reminded'],
  'batch.export_photos': ['导出照片', 'Photos exported'],
  'batch.export_codes': ['导出采集码名单', 'Collection-code list exported'],
  roster_import: ['导入名单', 'Roster imported'],
  roster_import_refused: ['名单导入被拒绝', 'Roster import refused'],
  'roster.export_ids': ['导出名单（含完整身份证号）', 'Roster exported with full ID numbers'],
  'student.add': ['添加学生', 'Student added'],
  'student.edit': ['修改学生信息', 'Student changed'],
  'student.unlock': ['解锁学生', 'Student unlocked'],
  'student.reset': ['重置学生照片', 'Student photo reset'],
  'student.chsi_bound': ['学生绑定采集码', 'Student bound the CHSI code'],
  'student.chsi_refused': ['采集码绑定被拒绝', 'CHSI code binding refused'],
  'student.chsi_cleared': ['清除学生的采集码', 'Student CHSI code cleared'],
  'student.erase': ['删除学生个人信息', 'Student personal data erased'],
  'retention.purge': ['批次结束后删除原始照片', 'Originals deleted after the batch closed'],
  'review.approve': ['审核通过', 'Photo approved'],
  'review.reject': ['审核驳回', 'Photo rejected'],
  'production.final': ['制作成片', 'Final photo made'],
  'reason.add': ['新增驳回原因', 'Rejection reason added'],
  'reason.edit': ['修改驳回原因', 'Rejection reason changed'],
  'spec.add': ['新增照片规格', 'Photo spec added'],
  'spec.edit': ['修改照片规格', 'Photo spec changed'],
  'spec.delete': ['删除照片规格', 'Photo spec deleted'],
  'order.ship': ['订单发货', 'Order shipped'],
  'order.done': ['订单完成', 'Order completed'],
  'pay.late_payment': ['超时后到账的付款', 'Payment arrived after the deadline'],
};

// field of a before/after -> [zh, en]; settings keys fall back to the
// settings form's labels (sf.<key>) in admin.js.
export const AUDIT_FIELDS = {
  state: ['状态', 'State'],
  erased: ['已删除', 'Erased'],
  kept: ['已保留', 'Kept'],
  batch_id: ['批次编号', 'Batch no.'],
  files: ['文件', 'Files'],
  orders: ['订单', 'Orders'],
  name: ['名称', 'Name'],
  username: ['用户名', 'User name'],
  role: ['角色', 'Role'],
  school_id: ['学校编号', 'School no.'],
  disabled: ['已停用', 'Disabled'],
  must_change_password: ['须修改密码', 'Must change password'],
  id: ['编号', 'No.'],
  starts_at: ['开始时间', 'Starts'],
  ends_at: ['结束时间', 'Ends'],
  settings: ['设置', 'Settings'],
  notice: ['学生须知', 'Notice'],
  reasons: ['驳回原因', 'Reasons'],
  note: ['补充说明', 'Note'],
  cooloff_until: ['冷静期至', 'Cool-off until'],
  locked_until: ['锁定至', 'Locked until'],
  fails: ['连续失败次数', 'Failures in a row'],
  live_fails: ['活体检测失败次数', 'Liveness failures'],
  live_locked: ['须老师解锁', 'Teacher lock'],
  student_no: ['学号', 'Student no.'],
  id_number: ['身份证号', 'ID number'],
  id_changed: ['身份证号已修改', 'ID number changed'],
  code_changed: ['采集码已修改', 'Collection code changed'],
  level: ['层次', 'Level'],
  programme: ['专业', 'Programme'],
  major: ['专业', 'Programme'],
  department: ['院系', 'Department'],
  class_name: ['班级', 'Class'],
  phone: ['手机号', 'Phone'],
  wechat: ['微信', 'WeChat'],
  hours: ['办公时间', 'Office hours'],
  rows: ['行数', 'Rows'],
  inserted: ['新增', 'Added'],
  updated: ['更新', 'Updated'],
  skipped: ['未导入的行', 'Rows not imported'],
  dry_run: ['仅预览', 'Preview only'],
  good_only: ['只导入无误的行', 'Good rows only'],
  file_sha256: ['文件 SHA-256', 'File SHA-256'],
  refused: ['拒绝原因', 'Refused because'],
  rule: ['命名规则', 'Naming rule'],
  photos: ['照片数', 'Photos'],
  sent: ['已提醒', 'Reminded'],
  recent: ['今天已提醒过', 'Reminded today already'],
  unverified: ['未验证', 'Never signed in'],
  outbox: ['待发送', 'Queued'],
  code: ['代码', 'Code'],
  zh: ['中文', 'Chinese'],
  en: ['英文', 'English'],
  sort: ['排序', 'Order'],
  active: ['启用', 'Active'],
  size: ['尺寸', 'Size'],
  width_mm: ['宽（毫米）', 'Width (mm)'],
  height_mm: ['高（毫米）', 'Height (mm)'],
  ids: ['身份证号', 'ID numbers'],
  chsi: ['采集码', 'CHSI code'],
  chsi_codes: ['导出的采集码', 'CHSI codes exported'],
  via: ['方式', 'By'],
  reason: ['原因', 'Reason'],
  _text: ['内容', 'Details'],
};

// Actions whose target is a batch's 特征码 rather than "kind:id".
export const AUDIT_BATCH_CODE_TARGET = ['batch_create', 'roster_import', 'roster_import_refused'];

// A value's words for a few fields whose values are codes.
export const AUDIT_VALUES = {
  role: { platform_admin: ['平台管理员', 'Platform admin'], reviewer: ['审核员', 'Reviewer'], school_admin: ['学校管理员', 'School admin'] },
  rule: { student_no: ['学号', 'Student no.'], id_number: ['身份证号', 'ID number'] },
  ids: { full: ['完整', 'Full'], masked: ['遮盖', 'Masked'] },
  chsi: { student: ['学生绑定', 'Bound by the student'], roster: ['名单导入', 'From the roster'], none: ['无', 'None'] },
  via: { qr: ['扫描二维码', 'QR picture'], text: ['输入', 'Typed'] },
  reason: {
    'chsi.taken': ['采集码已绑定在另一条学生记录上', 'The code is bound to another record'],
    'chsi.already_bound': ['该记录已有采集码', 'The record already has a code'],
    'chsi.bad_code': ['不是采集码', 'Not a CHSI code'],
    'qr.not_found': ['图片中没有二维码', 'No QR code in the picture'],
  },
  // why a roster import was refused (roster_import_refused)
  refused: {
    'roster.invalid': ['有错误的行，未导入', 'Rows with errors: nothing imported'],
    'roster.chsi_taken': ['采集码已属于另一条学生记录', 'A CHSI code already belongs to another record'],
    'roster.conflict': ['身份证号已属于本批次另一名学生', 'An ID number already belongs to another student'],
    'roster.bad_encoding': ['文件编码无法识别', 'Unrecognised text encoding'],
    'roster.bad_xlsx': ['Excel 文件已损坏', 'Damaged Excel file'],
    'roster.not_a_spreadsheet': ['不是表格文件', 'Not a spreadsheet'],
    'roster.xls_unsupported': ['不支持旧版 .xls，请另存为 .xlsx', 'Old .xls: save as .xlsx'],
    'roster.missing_column': ['缺少必需的列', 'A required column is missing'],
    'roster.no_header': ['没有表头', 'No header row'],
    'roster.no_rows': ['没有学生行', 'No student rows'],
    'roster.empty': ['文件为空', 'Empty file'],
    'roster.too_large': ['文件过大', 'File too large'],
    'roster.too_many_rows': ['行数过多', 'Too many rows'],
    'roster.zip_bomb': ['压缩内容异常', 'Abnormal compressed content'],
  },
};

// Flattens an object into [path, value] pairs ("settings.fee_fen").
function flat(v, prefix, out) {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flat(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.set(prefix, v);
  return out;
}

const parse = (s) => {
  if (s === null || s === undefined || s === '') return {};
  try {
    const v = JSON.parse(s);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : { _text: v };
  } catch { return { _text: s }; }
};

// The difference between two audit texts: [{field, before, after}] for each
// (flattened) field that is new, gone or changed, in the before's order.
export function auditDiff(before, after) {
  const b = flat(parse(before), '', new Map());
  const a = flat(parse(after), '', new Map());
  const keys = [...new Set([...b.keys(), ...a.keys()])];
  const same = (x, y) => JSON.stringify(x) === JSON.stringify(y);
  return keys.filter((k) => !(b.has(k) && a.has(k) && same(b.get(k), a.get(k))))
    .map((k) => ({ field: k, before: b.has(k) ? b.get(k) : undefined, after: a.has(k) ? a.get(k) : undefined }));
}
