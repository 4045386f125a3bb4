// The student's journey after sign-in (issue 6; seeds 000–004): the
// school's notice, the shooting tips, the notification choice, shooting
// (live with the rear camera after the tutorial, or from the album), the
// production and checks, the draft box, confirming one photo, payment,
// waiting for review, the result, and 我的 (records, orders, messages, FAQ).
//
// The server decides every step: after each action the page asks
// GET /api/v1/me/journey and goes where `step` says; a refusal ({code, zh,
// en}) is shown as the server words it, except the lock and full-drafts
// texts, which follow seed 000 §12–§14 word for word with the time written
// the way the seed writes it.

import { t, addMessages, getLang, localError, KNOWN_STATES } from '/common/i18n.js';
import { api, ApiError } from '/common/api.js';
import { h, errorRegion, showError, fmtTime, newId } from '/common/dom.js';
import {
  state, withBusy, toast, route, go, render, onLeave, currentView, isLive, setTabbarHook, bilingual, loadMe,
  onLangChangeWhileMounted,
} from './core.js';
import { portrait, EXAMPLES, outline, SCENES, icon } from './figures.js';
import { payRequest, launch } from './money.js';

addMessages({
  'nav.journey': '图像采集',
  'nav.notice': '图采通知',
  'nav.tips': '拍照注意事项',
  'nav.notify': '接收通知',
  'nav.shoot': '选择拍摄方式',
  'nav.tutorial': '拍摄要求',
  'nav.camera': '现场拍摄',
  'nav.album': '相册上传',
  'nav.photo': '照片制作',
  'nav.drafts': '草稿箱',
  'nav.submit': '确认上传',
  'nav.pay': '支付费用',
  'nav.paid': '支付结果',
  'nav.status': '审核状态',
  'nav.result': '照片下载',
  'nav.mine': '我的',
  'nav.messages': '消息中心',
  'nav.faq': '常见问题',
  'tab.home': '首页',
  'tab.messages': '消息',
  'tab.mine': '我的',
  'tab.label': '主导航',
  'tab.unread': '{n} 条未读',

  'common.next': '下一步',
  'common.back': '返回',
  'common.cancel': '取消',
  'common.ok': '确定',
  'common.retry': '重试',
  'common.working': '请稍候…',

  'step.notice': '阅读学校图采通知',
  'step.tips': '阅读拍照注意事项',
  'step.notify': '选择接收通知',
  'step.pay_first': '支付费用',
  'step.shoot': '拍摄照片',
  'step.confirm': '选择草稿箱照片并确认上传',
  'step.pay': '支付费用',
  'step.waiting': '等待审核',
  'step.approved': '审核通过，待处理',
  'step.rejected': '审核未通过，请重新拍照',
  'step.final': '照片已完成，可下载',
  'home.next': '当前步骤：{step}',
  'home.start': '开始采集',
  'home.continue': '继续采集',
  'home.view_result': '查看并下载成片',

  'notice.lead': '请完整阅读学校图像采集通知，滑动到底部后可点击“下一步”。',
  'notice.empty': '学校暂未发布图采通知，请按以下步骤完成图像采集。',
  'notice.scroll_hint': '请滑动阅读到底部',
  'notice.region': '学校图采通知',

  'tips.lead': '为了帮助您快速完成图像采集，请仔细阅读拍照要求后再开始拍照。',
  'tips.examples': '图例',
  'tips.example_ok': '正确',
  'tips.example_bad': '错误',
  'tips.ex_good': '证件照：头部和肩膀，正面平视',
  'tips.ex_toplight': '灯光下拍摄：头顶亮、脸下部暗',
  'tips.ex_shadow': '脸部阴影或阴阳脸',
  'tips.ex_glasses_clear': '常戴眼镜者可戴无色眼镜，无反光',
  'tips.ex_glasses_tinted': '有色眼镜或镜片反光',
  'tips.ex_hair': '头发遮挡眉毛、眼睛或耳朵',
  'tips.ex_blue': '穿蓝色上衣',
  'tips.ex_jewelry': '佩戴耳环、项链等饰品',
  'tips.ex_turned': '侧脸、低头或歪头',
  'tips.rules': '拍照注意事项',
  'tips.r1': '拍照背景不要求，拍照上传后系统自动替换背景为{bg}。',
  'tips.r2': '光线：建议面向窗户，自然光拍摄（避免阳光直射，不建议晚间拍摄），保证面部光线均匀，无明显可见或不对称的高光、光斑，无红眼。可选择背靠正对窗户的一面墙拍摄。不要在灯光下拍摄，容易出现头发和脸上部光源强、脸下部暗淡。',
  'tips.r3': '拍照为证件照（请参照图例或身份证照片）：画面为头部和肩膀，下缘至胸部；不得上传腰部以下的半身照或全身照。',
  'tips.r4': '女同学应将头发扎起，头发应放在肩膀后。',
  'tips.r5': '证件照应注重真实性，严禁翻拍其他照片，严禁利用其它软件做任何脸部美颜处理。系统检测到翻拍或美颜累计 {n} 次，学生账号将被锁定，需由学校管理员进行解锁。',
  'tips.r5_timed': '证件照应注重真实性，严禁翻拍其他照片，严禁利用其它软件做任何脸部美颜处理。系统检测到翻拍累计 {n} 次，学生账号将被锁定，需由学校管理员进行解锁；美颜处理的照片不能通过检测，连续 {m} 张照片未通过检测，账号将被锁定 {h} 小时。',
  'tips.r6': '坐姿端正，表情自然，双眼自然睁开并平视，耳朵对称，左右肩膀平衡，嘴唇自然闭合。',
  'tips.r7': '眼镜：常戴眼镜者应佩戴眼镜，但不得戴有色（含隐形）眼镜，镜框不得遮挡眼睛，眼镜不能有反光。',
  'tips.r7_forbidden': '眼镜：本校要求拍摄时不能佩戴眼镜，也不得佩戴有色隐形眼镜（美瞳）。',
  'tips.r8': '佩饰及遮挡物：不得佩戴耳环、项链等饰品，头发不得遮挡眉毛、眼睛和耳朵，不得使用头部覆盖物（宗教、医疗和文化需要时，不得遮挡脸部或造成阴影），不宜化妆或涂抹防晒霜。',
  'tips.r9': '衣着：应穿着与背景色区分明显的上衣，建议穿白衬衣，避免复杂图案、条纹。（不得穿着蓝色上衣）。',
  'tips.r10': '人像在矩形框中应水平居中，左右对称。',
  'tips.how': '拍摄方法',
  'tips.h1': '选取光线较好的室内，选择一面干净的白墙，穿与背景颜色有反差的衣服，身体距离墙壁一米左右；',
  'tips.h2': '使用后置摄像头拍摄头部和肩膀，画面下缘至胸部（即胸部以上的半身）；不可自拍，必须请他人持手机为您拍摄；',
  'tips.h3': '露出耳朵和额头，头部正视镜头，保持肩膀齐平，表情自然，嘴唇自然闭合；',
  'tips.h4': '穿单色有领衣服，避免复杂图案、花纹，不要穿无袖、吊带、低胸衫；',
  'tips.h5': '避免脸部阴影或阴阳脸；素颜，禁止美颜和化妆、佩戴美瞳。',
  'tips.read': '我已阅读并了解以上拍照注意事项',
  'tips.serious': '所采集相片将用于毕业证书制作、并上传学信网作教育部学历验证使用，请本人严肃对待。',
  'tips.start': '开始拍照',
  'tips.must_tick': '请先勾选“我已阅读”',
  'bg.blue': '天蓝色',
  'bg.white': '白色',
  'bg.red': '红色',
  'bg.other': '证件照底色',

  'notify.lead': '采集期间会随时重置不合格照片，建议学生选择接收照片状态通知，以便及时了解自己的拍摄进度，有需要及时重拍。',
  'notify.lead_pay': '建议同时选择接收支付结果通知。',
  'notify.status': '照片状态通知',
  'notify.status_tip': '检测结果、审核结果、照片被重置时通知您',
  'notify.payment': '支付结果通知',
  'notify.email': '邮箱（选填）',
  'notify.email_ph': '用于接收通知和照片',
  'notify.email_bad': '请输入正确的邮箱地址',
  'notify.inapp': '通知会出现在本页面的“消息”中；邮箱验证后也会发送到邮箱，选择短信或微信后也会发送短信或微信消息。',
  'notify.sms': '短信通知',
  'notify.sms_tip': '发送到学校名单中登记的手机号',
  'notify.wechat': '微信通知',
  'notify.wechat_tip': '通过微信服务通知发送给您',
  'notify.email_unconfirmed': '邮箱 {email} 尚未验证：验证后才会收到通知邮件。',
  'notify.email_code_send': '发送验证码',
  'notify.email_code': '验证码',
  'notify.email_code_sent': '验证码已发送至 {email}，30 分钟内有效。',
  'notify.email_confirm': '验证邮箱',
  'notify.email_confirmed': '邮箱已验证：{email}',
  'notify.email_later': '稍后验证',
  'home.deadline': '采集截止：{time}（北京时间）',
  'home.deadline_left': '还剩 {n} 天',
  'home.deadline_today': '今天截止',
  'home.deadline_past': '采集已截止',
  'home.contact': '学校联系方式',
  'contact.phone': '电话',
  'contact.wechat': '微信',
  'contact.hours': '办公时间',
  'notify.saved': '已保存',

  'shoot.lead': '请选择拍摄方式',
  'shoot.live': '现场拍摄',
  'shoot.live_tip': '请他人持手机，使用后置摄像头为您拍摄',
  'shoot.album': '相册上传',
  'shoot.album_tip': '上传他人为您拍摄的近期证件照原图，不得修图美颜',
  'shoot.read_tips': '查看拍照注意事项',
  'shoot.drafts': '草稿箱（{n}/{cap}）',
  'shoot.cooloff': '冷静期中，{time} 后可重新拍摄',
  'shoot.refused': '暂时不能拍摄',
  'shoot.uploading': '正在上传…',
  'shoot.go_drafts': '前往草稿箱',

  'lock.locked': '请仔细阅读拍摄要求，可于 {time} 后重新拍摄。',
  'lock.live_locked': '系统检测到您的照片多次未通过活体检测，请联系学校图采工作部门进行账号解锁。',
  'lock.has_drafts': '系统检测到草稿箱有照片，可以选择进行上传。',
  'lock.drafts_full': '草稿箱已满，请前往草稿箱删除或使用草稿箱照片。',

  'tutorial.lead': '请完整观看拍摄要求视频后点击“下一步”进入拍摄，此处只允许使用后置摄像头拍摄。',
  'tutorial.play': '播放',
  'tutorial.pause': '暂停',
  'tutorial.replay': '重新播放',
  'tutorial.progress': '视频播放进度',
  'tutorial.must_watch': '请完整观看视频后再点击下一步',
  'tutorial.watched': '已完整观看',
  'tutorial.s1': '请他人手持手机，使用后置摄像头为您拍摄，不可自拍。',
  'tutorial.s2': '面向窗户，在自然光下拍摄，保证面部光线均匀。',
  'tutorial.s3': '背靠一面干净的墙，身体距离墙壁一米左右。',
  'tutorial.s4': '将头部和肩膀放入取景框内，双眼平视镜头，表情自然。',
  'tutorial.s5': '点击拍摄后预览照片，如无问题，点击“确定”进行照片制作。',

  'camera.lead': '将人像放在取景框内，头部和肩膀对齐轮廓线。',
  'camera.region': '取景框',
  'camera.shutter': '拍摄',
  'camera.retake': '重拍',
  'camera.confirm': '确定',
  'camera.preview': '照片预览',
  'camera.starting': '正在打开后置摄像头…',
  'camera.no_rear': '未能打开后置摄像头。此处只允许使用后置摄像头拍摄。',
  'camera.denied': '未获得摄像头权限。请在浏览器或微信设置中允许使用摄像头，或使用下方按钮调用系统相机拍摄。',
  'camera.unsupported': '当前浏览器不支持在页面中打开摄像头。',
  'camera.fallback': '请点击下方按钮，使用系统相机的后置摄像头拍摄。',
  'camera.fallback_btn': '打开相机拍摄',
  'camera.check_preview': '请确认照片清晰、人像完整后点击“确定”进行照片制作。',

  'album.lead': '从相册选择一张他人为您拍摄的照片（原图，头部和肩膀完整，正面平视）。',
  'album.choose': '从相册选择照片',
  'album.rechoose': '重新选择',
  'album.upload': '确定上传',
  'album.not_allowed': '本校不允许相册上传，请选择现场拍摄。',

  'photo.processing': '照片制作中，系统正在自动检测，请稍候…',
  'photo.steps': '制作进度',
  'photo.step_upload': '上传完成',
  'photo.step_make': '照片制作',
  'photo.step_check': '自动检测',
  'photo.draft': '已存入草稿箱',
  'photo.draft_lead': '照片检测通过，已自动存入草稿箱。点击“下一步”确认上传，或继续拍摄。',
  'photo.failed': '照片未通过检测',
  'photo.failed_lead': '请根据以下提示调整后重新拍摄：',
  'photo.error': '照片制作失败，请重新拍摄或上传其他照片。',
  'photo.retake': '重拍',
  'photo.retake_wait': '重拍（{time}）',
  'photo.cooloff_note': '重拍按钮进入冷静期，{time} 后可重新拍摄。',
  'photo.used': '这张照片已提交。',
  'photo.deleted': '这张照片已删除。',
  'photo.proof_alt': '标准照（样片）',
  'photo.continue': '继续拍摄',

  'drafts.lead': '草稿箱可存放 {cap} 张照片，照片存入 {hours} 小时后可删除。',
  'drafts.empty': '草稿箱还没有照片。',
  'drafts.saved_at': '存入时间：{time}',
  'drafts.deletable_at': '{time} 后可删除',
  'drafts.use': '使用此照片',
  'drafts.delete': '删除',
  'drafts.delete_q': '确定删除这张照片吗？删除后不能恢复。',
  'drafts.deleted': '已删除',
  'drafts.too_early': '照片存入草稿箱 {hours} 小时后才可删除，这张照片可于 {time} 后删除。',
  'drafts.shoot_more': '继续拍摄',
  'drafts.photo_n': '草稿照片 {n}',
  'drafts.under_review': '已有照片在审核中，如需更换请先撤回审核。',

  'submit.lead': '请确认使用这张照片。确认上传后照片将提交审核。',
  'submit.after_pay': '确认上传后将进入支付页面。',
  'submit.fee': '图像采集费用：',
  'submit.after_school': '费用由学校统一缴纳，确认上传后即提交审核。',
  'submit.confirm': '确认上传',
  'submit.back': '返回草稿箱',
  'submit.done': '已提交',

  'pay.lead': '请支付图像采集费用。',
  'pay.includes': '该费用包含图像采集、图像标准化等全部服务。',
  'pay.amount': '应付金额',
  'pay.button': '立即支付',
  'pay.retake_free': '审核未通过后重拍上传不需要重复付费。',
  'pay.wait': '正在确认支付结果…',
  'pay.ok': '支付成功',
  'pay.pending': '暂未收到支付结果，请稍后刷新。若已扣款，请勿重复支付。',
  'pay.refresh': '刷新支付结果',
  'pay.launching': '正在前往支付…',

  'status.title': '照片审核',
  'status.state': '状态',
  'status.submitted': '待审核',
  'status.approved': '待处理',
  'status.rejected': '审核未通过',
  'status.final': '已完成',
  'status.waiting_lead': '照片已提交审核，请关注审核信息。若照片审核不通过，请按要求及时上传合格照片直至审核通过。',
  'status.withdraw': '撤回审核',
  'status.withdraw_q': '撤回后可以重新拍照上传，或选择草稿箱中的其他照片。确定撤回审核吗？',
  'status.withdrawn': '已撤回',
  'status.approved_lead': '照片已通过人工审核，状态为待处理，不能再撤回修改。后期制作完成后即可下载成片。',
  'status.final_lead': '照片已制作完成，可以下载标准照和排版照。',
  'status.rejected_lead': '照片未通过人工审核，原因如下。请注意提示内容，重新拍照上传，避免再次出现同类问题。',
  'status.note': '审核意见：{note}',
  'status.reshoot': '重新拍照',
  'status.choose_draft': '选择草稿箱照片',
  'status.view_result': '查看照片',
  'status.no_submission': '还没有提交照片。',

  'result.lead_proof': '“样片”二字提示这不是最终成片。后期制作完成后，会将合格照片上传回系统，届时可下载成片。',
  'result.lead_final': '照片已制作完成，可以下载成片。',
  'result.standard': '标准照',
  'result.sheet': '排版照',
  'result.proof_mark': '样片',
  'result.download_standard': '下载标准照',
  'result.download_sheet': '下载排版照',
  'result.download_final': '成片下载',
  'result.save': '保存到手机',
  'result.longpress': '在微信或 iPhone 中，请长按图片，选择“保存图片”或“存储到照片”。',
  'result.email': '发送到邮箱',
  'result.email_label': '邮箱',
  'result.email_send': '发送',
  'result.email_sent': '已发送，请查收邮件',
  'result.email_to': '照片将发送到您验证过的邮箱：{email}',
  'result.email_change': '更换邮箱',
  'result.email_why': '为保护您的照片，只能发送到您本人的邮箱：我们先向邮箱发送一个验证码，填写后即可发送。',
  'result.email_code_send': '发送验证码',
  'result.email_code_sent': '验证码已发送到 {email}，30 分钟内有效，请查收邮件后填写。',
  'result.email_code': '验证码',
  'result.email_code_bad': '请输入邮件中的 6 位数字验证码',
  'result.email_confirm': '验证邮箱',
  'result.email_confirmed': '邮箱已验证',
  'result.none': '照片审核通过后可以在这里下载。',

  'mine.records': '我的学历',
  'mine.orders': '我的订单',
  'mine.orders_empty': '暂无订单',
  'mine.order_amount': '¥{amount}',
  'mine.order_state.paid': '已支付',
  'mine.order_state.pending': '待支付',
  'mine.order_state.closed': '已关闭',
  'mine.order_state.refunded': '已退款',
  'mine.messages': '消息中心',
  'mine.notify': '通知设置',
  'mine.drafts': '草稿箱',
  'mine.tips': '拍照注意事项',
  'mine.faq': '常见问题',
  'mine.service': '客服咨询',
  'mine.service_text': '如有疑问，请先查看常见问题；仍无法解决的，请联系{school}图采工作部门（校内图像采集负责老师）。',
  'mine.logout': '退出登录',
  'mine.add': '添加学历',

  'msg.empty': '暂无消息',
  'msg.unread': '未读',
  'msg.mark_read': '标为已读',

  'faq.q1': '如何获取学信网图像采集码？',
  'faq.a1': '登录学信网（www.chsi.com.cn）“学信档案”，进入“高等教育信息”→“学籍”，找到本次毕业的学籍，点击“图像采集码”，截图保存后在本页上传。',
  'faq.q2': '为什么只能用后置摄像头？可以自拍吗？',
  'faq.a2': '现场拍摄只允许使用后置摄像头，画质更好、画面不镜像。不可自拍，请他人手持手机为您拍摄，并保持头部和肩膀在取景框内。',
  'faq.q3': '照片检测不通过怎么办？什么是冷静期？',
  'faq.a3': '系统会逐项提示未通过的原因，请按提示调整后重拍。检测不通过后，重拍按钮会进入一定时间的冷静期，倒计时结束后即可重新拍摄。',
  'faq.q4': '账号被锁定了怎么办？',
  'faq.a4': '多次未通过活体检测（例如翻拍照片或屏幕）时，需联系学校图采工作部门解锁（美颜修图照片按本校规则计入，见“拍照注意事项”）；多次其他指标检测失败时，在提示的时间之后可以重新拍摄。锁定期间草稿箱中的照片仍可使用和上传。',
  'faq.q5': '草稿箱的照片可以删除吗？',
  'faq.a5': '照片存入草稿箱一定时间（默认 24 小时）后可以删除。草稿箱已满时不能继续拍摄，请删除照片或使用草稿箱中的照片。',
  'faq.q6': '提交后还能更换照片吗？',
  'faq.a6': '在待审核状态下可以“撤回审核”，然后重新拍照或选择草稿箱中的其他照片。审核通过后状态变为“待处理”，不能再撤回修改。',
  'faq.q7': '审核未通过，重拍需要再付费吗？',
  'faq.a7': '不需要。请查看未通过的原因，重新拍照上传即可，不会重复收费。',
  'faq.q8': '照片上为什么有“样片”二字？',
  'faq.a8': '“样片”提示这不是最终成片。后期制作完成后，合格照片会上传回系统，届时可以下载不带“样片”字样的成片。',
  'faq.q9': '收不到通知怎么办？',
  'faq.a9': '请在“我的”→“通知设置”中打开照片状态通知，也可以填写邮箱。采集期间不合格的照片可能随时被重置，请留意消息中心。',
  'faq.q10': '拍照对背景有要求吗？',
  'faq.a10': '没有。拍照上传后系统会自动替换背景，请穿与背景颜色区分明显的上衣（不得穿蓝色上衣）。',

  'ev.photo': '照片状态已更新',
  'ev.submission': '审核状态已更新',
  'ev.payment': '支付状态已更新',
  'ev.message': '您有新消息',
}, {
  'nav.journey': 'Photo collection',
  'nav.notice': 'School notice',
  'nav.tips': 'Photo tips',
  'nav.notify': 'Notifications',
  'nav.shoot': 'How to take the photo',
  'nav.tutorial': 'Shooting requirements',
  'nav.camera': 'Take the photo',
  'nav.album': 'Upload from album',
  'nav.photo': 'Making your photo',
  'nav.drafts': 'Draft box',
  'nav.submit': 'Confirm upload',
  'nav.pay': 'Payment',
  'nav.paid': 'Payment result',
  'nav.status': 'Review',
  'nav.result': 'Download',
  'nav.mine': 'Me',
  'nav.messages': 'Messages',
  'nav.faq': 'FAQ',
  'tab.home': 'Home',
  'tab.messages': 'Messages',
  'tab.mine': 'Me',
  'tab.label': 'Main navigation',
  'tab.unread': '{n} unread',

  'common.next': 'Next',
  'common.back': 'Back',
  'common.cancel': 'Cancel',
  'common.ok': 'OK',
  'common.retry': 'Try again',
  'common.working': 'Please wait…',

  'step.notice': 'Read the school notice',
  'step.tips': 'Read the photo tips',
  'step.notify': 'Choose notifications',
  'step.pay_first': 'Pay the fee',
  'step.shoot': 'Take your photo',
  'step.confirm': 'Choose a photo from the draft box and confirm',
  'step.pay': 'Pay the fee',
  'step.waiting': 'Awaiting review',
  'step.approved': 'Approved, being processed',
  'step.rejected': 'Not approved: take a new photo',
  'step.final': 'Your photo is ready to download',
  'home.next': 'Next step: {step}',
  'home.start': 'Start',
  'home.continue': 'Continue',
  'home.view_result': 'View and download your photo',

  'notice.lead': 'Read the school\'s notice to the end; “Next” becomes available when you reach the bottom.',
  'notice.empty': 'Your school has not published a notice; follow the steps to take your photo.',
  'notice.scroll_hint': 'Scroll to the end to continue',
  'notice.region': 'School notice',

  'tips.lead': 'Read the requirements carefully before you take the photo: it saves you retakes.',
  'tips.examples': 'Examples',
  'tips.example_ok': 'Right',
  'tips.example_bad': 'Wrong',
  'tips.ex_good': 'ID photo: head and shoulders, facing the camera',
  'tips.ex_toplight': 'Under a lamp: bright top of the head, dark lower face',
  'tips.ex_shadow': 'Shadows, one side of the face darker',
  'tips.ex_glasses_clear': 'If you always wear glasses: clear lenses, no glare',
  'tips.ex_glasses_tinted': 'Tinted lenses or glare on the lenses',
  'tips.ex_hair': 'Hair over the eyebrows, eyes or ears',
  'tips.ex_blue': 'A blue top',
  'tips.ex_jewelry': 'Earrings, necklaces or other jewellery',
  'tips.ex_turned': 'Head turned, lowered or tilted',
  'tips.rules': 'Requirements',
  'tips.r1': 'Any background will do: after upload the system replaces it with {bg}.',
  'tips.r2': 'Light: face a window and use daylight (no direct sunshine; evenings are not recommended) so the face is evenly lit, without visible or uneven highlights, spots or red eyes. You may stand with your back to the wall facing the window. Do not shoot under lamps: the hair and upper face get too bright and the lower face too dark.',
  'tips.r3': 'This is an ID photo (see the examples or your ID card): head and shoulders, down to the chest; no photos down to the waist or full-length.',
  'tips.r4': 'Tie long hair back and keep it behind the shoulders.',
  'tips.r5': 'The photo must be genuine: never photograph another photo, and never retouch or beautify the face with any app. After {n} photos found re-photographed or retouched, the account is locked until a school administrator unlocks it.',
  'tips.r5_timed': 'The photo must be genuine: never photograph another photo, and never retouch or beautify the face with any app. After {n} photos found re-photographed, the account is locked until a school administrator unlocks it; a retouched photo fails the checks, and after {m} failed photos in a row the account is locked for {h} hours.',
  'tips.r6': 'Sit up straight, natural expression, eyes open looking straight ahead, both ears equally visible, shoulders level, lips closed.',
  'tips.r7': 'Glasses: if you always wear glasses, wear them, but no tinted (or coloured contact) lenses; the frames must not cover the eyes and the lenses must not reflect.',
  'tips.r7_forbidden': 'Glasses: your school requires photos without glasses, and no coloured contact lenses.',
  'tips.r8': 'Accessories: no earrings, necklaces or other jewellery; hair must not cover the eyebrows, eyes or ears; no head coverings (for religious, medical or cultural reasons they must not cover the face or cast shadows); avoid make-up and sunscreen.',
  'tips.r9': 'Clothes: a top that stands out clearly from the background, a white shirt is best; no busy patterns or stripes (and no blue top).',
  'tips.r10': 'Keep the person centred and symmetric in the frame.',
  'tips.how': 'How to shoot',
  'tips.h1': 'Choose a well-lit room and a clean white wall, wear clothes that contrast with it, and stand about one metre in front of the wall.',
  'tips.h2': 'Use the rear camera and frame from the head down to the chest. No selfies: ask someone to hold the phone for you.',
  'tips.h3': 'Show your ears and forehead, look straight into the camera, keep the shoulders level, natural expression, lips closed.',
  'tips.h4': 'Wear a plain collared top; no busy patterns, no sleeveless, strappy or low-cut tops.',
  'tips.h5': 'Avoid shadows on the face; no make-up, no beauty filters, no coloured contact lenses.',
  'tips.read': 'I have read and understood the photo tips',
  'tips.serious': 'The photo will be used for your graduation certificate and uploaded to CHSI for the Ministry of Education\'s degree verification: take it seriously.',
  'tips.start': 'Start taking photos',
  'tips.must_tick': 'Tick “I have read” first',
  'bg.blue': 'sky blue',
  'bg.white': 'white',
  'bg.red': 'red',
  'bg.other': 'the ID photo colour',

  'notify.lead': 'The unqualified photos will be reset at any time during the collection. It is suggested that students choose to receive the photo status notification and payment result notification, so as to know their shooting progress in time and take photos again in time if necessary.',
  'notify.lead_pay': '',
  'notify.status': 'Photo status',
  'notify.status_tip': 'Check results, review results, and when a photo is reset',
  'notify.payment': 'Payment results',
  'notify.email': 'E-mail (optional)',
  'notify.email_ph': 'For notifications and your photos',
  'notify.email_bad': 'Enter a valid e-mail address',
  'notify.inapp': 'Notifications appear under “Messages” in this app; they are also e-mailed once your address is confirmed, and sent by SMS or WeChat if you choose.',
  'notify.sms': 'SMS',
  'notify.sms_tip': 'To the phone number in your school\'s roster',
  'notify.wechat': 'WeChat',
  'notify.wechat_tip': 'As a WeChat service notification',
  'notify.email_unconfirmed': 'The address {email} is not confirmed yet: notification e-mails go only to a confirmed address.',
  'notify.email_code_send': 'Send a code',
  'notify.email_code': 'Code',
  'notify.email_code_sent': 'A code was sent to {email}; it is valid for 30 minutes.',
  'notify.email_confirm': 'Confirm the address',
  'notify.email_confirmed': 'Confirmed address: {email}',
  'notify.email_later': 'Confirm later',
  'home.deadline': 'Collection closes {time} (China time)',
  'home.deadline_left': '{n} days left',
  'home.deadline_today': 'Closes today',
  'home.deadline_past': 'Collection has closed',
  'home.contact': 'School contact',
  'contact.phone': 'Phone',
  'contact.wechat': 'WeChat',
  'contact.hours': 'Office hours',
  'notify.saved': 'Saved',

  'shoot.lead': 'Choose how to take your photo',
  'shoot.live': 'Take it now',
  'shoot.live_tip': 'Someone else holds the phone and uses the rear camera',
  'shoot.album': 'Upload from album',
  'shoot.album_tip': 'A recent original photo taken by someone else, not retouched',
  'shoot.read_tips': 'Read the photo tips',
  'shoot.drafts': 'Draft box ({n}/{cap})',
  'shoot.cooloff': 'Cooling-off period: you can shoot again after {time}',
  'shoot.refused': 'You cannot take a photo right now',
  'shoot.uploading': 'Uploading…',
  'shoot.go_drafts': 'Go to the draft box',

  'lock.locked': 'Please read the shooting requirements carefully; you can shoot again after {time}.',
  'lock.live_locked': 'The system has detected that your photos have failed the liveness check several times. Please contact your school\'s photo collection office to unlock the account.',
  'lock.has_drafts': 'There are photos in your draft box: you can choose to upload one.',
  'lock.drafts_full': 'The draft box is full: go to the draft box to delete a photo or use one.',

  'tutorial.lead': 'Watch the whole video of the shooting requirements, then tap “Next” to start. Only the rear camera is allowed.',
  'tutorial.play': 'Play',
  'tutorial.pause': 'Pause',
  'tutorial.replay': 'Replay',
  'tutorial.progress': 'Video progress',
  'tutorial.must_watch': 'Watch the whole video before going on',
  'tutorial.watched': 'Watched to the end',
  'tutorial.s1': 'Ask someone to hold the phone and use the rear camera: no selfies.',
  'tutorial.s2': 'Face a window and use daylight so your face is evenly lit.',
  'tutorial.s3': 'Stand about one metre in front of a plain wall.',
  'tutorial.s4': 'Fit your head and shoulders in the frame, look straight ahead, natural expression.',
  'tutorial.s5': 'Take the picture, check the preview, and tap “OK” to make the photo.',

  'camera.lead': 'Fit the person inside the frame: head and shoulders on the outline.',
  'camera.region': 'Viewfinder',
  'camera.shutter': 'Take the picture',
  'camera.retake': 'Retake',
  'camera.confirm': 'OK',
  'camera.preview': 'Preview',
  'camera.starting': 'Opening the rear camera…',
  'camera.no_rear': 'The rear camera could not be opened. Only the rear camera may be used here.',
  'camera.denied': 'Camera permission was not given. Allow the camera in the browser or WeChat settings, or use the button below to take the picture with the system camera.',
  'camera.unsupported': 'This browser cannot open the camera inside the page.',
  'camera.fallback': 'Tap the button below to take the picture with the system camera\'s rear camera.',
  'camera.fallback_btn': 'Open the camera',
  'camera.check_preview': 'Check that the picture is sharp and complete, then tap “OK” to make the photo.',

  'album.lead': 'Choose a photo someone else took of you (the original file, head and shoulders, facing the camera).',
  'album.choose': 'Choose from album',
  'album.rechoose': 'Choose another',
  'album.upload': 'Upload',
  'album.not_allowed': 'Your school does not allow album uploads: take the photo live.',

  'photo.processing': 'Making your photo; the system is checking it automatically…',
  'photo.steps': 'Progress',
  'photo.step_upload': 'Uploaded',
  'photo.step_make': 'Making the photo',
  'photo.step_check': 'Automatic checks',
  'photo.draft': 'Saved to the draft box',
  'photo.draft_lead': 'The photo passed the checks and was saved to the draft box. Tap “Next” to confirm it, or take another.',
  'photo.failed': 'The photo did not pass the checks',
  'photo.failed_lead': 'Adjust as follows and take it again:',
  'photo.error': 'The photo could not be made: take it again or upload another.',
  'photo.retake': 'Retake',
  'photo.retake_wait': 'Retake ({time})',
  'photo.cooloff_note': 'The retake button is in a cooling-off period: you can shoot again after {time}.',
  'photo.used': 'This photo has been submitted.',
  'photo.deleted': 'This photo was deleted.',
  'photo.proof_alt': 'Standard photo (proof)',
  'photo.continue': 'Take another',

  'drafts.lead': 'The draft box holds {cap} photos; a photo can be deleted {hours} hours after it was saved.',
  'drafts.empty': 'No photos in the draft box yet.',
  'drafts.saved_at': 'Saved {time}',
  'drafts.deletable_at': 'Can be deleted after {time}',
  'drafts.use': 'Use this photo',
  'drafts.delete': 'Delete',
  'drafts.delete_q': 'Delete this photo? It cannot be restored.',
  'drafts.deleted': 'Deleted',
  'drafts.too_early': 'Photos can be deleted {hours} hours after they were saved: this one after {time}.',
  'drafts.shoot_more': 'Take another',
  'drafts.photo_n': 'Draft photo {n}',
  'drafts.under_review': 'A photo is under review: withdraw it first to use another.',

  'submit.lead': 'Confirm that you want to use this photo. After you confirm, it is sent for review.',
  'submit.after_pay': 'The payment page comes next.',
  'submit.fee': 'Photo collection fee: ',
  'submit.after_school': 'Your school pays the fee: the photo goes straight to review.',
  'submit.confirm': 'Confirm upload',
  'submit.back': 'Back to the draft box',
  'submit.done': 'Submitted',

  'pay.lead': 'Pay the photo collection fee.',
  'pay.includes': 'The fee covers the photo collection, standardisation and all other services.',
  'pay.amount': 'Amount',
  'pay.button': 'Pay now',
  'pay.retake_free': 'A retake after a rejection is not charged again.',
  'pay.wait': 'Confirming the payment…',
  'pay.ok': 'Payment received',
  'pay.pending': 'The payment result has not arrived yet. Refresh in a moment; if you were charged, do not pay again.',
  'pay.refresh': 'Refresh the payment result',
  'pay.launching': 'Opening the payment page…',

  'status.title': 'Photo review',
  'status.state': 'State',
  'status.submitted': 'Awaiting review',
  'status.approved': 'Being processed',
  'status.rejected': 'Not approved',
  'status.final': 'Done',
  'status.waiting_lead': 'Your photo is awaiting review; watch for review messages. If it is not approved, upload a qualifying photo until it is.',
  'status.withdraw': 'Withdraw',
  'status.withdraw_q': 'After withdrawing you can take a new photo or choose another from the draft box. Withdraw the photo from review?',
  'status.withdrawn': 'Withdrawn',
  'status.approved_lead': 'Your photo passed the review and is being processed; it can no longer be withdrawn. You can download the final photo once production is done.',
  'status.final_lead': 'Your photo is finished: download the standard photo and the print sheet.',
  'status.rejected_lead': 'Your photo was not approved, for the reasons below. Take a new photo and avoid the same problems.',
  'status.note': 'Reviewer\'s note: {note}',
  'status.reshoot': 'Take a new photo',
  'status.choose_draft': 'Choose from the draft box',
  'status.view_result': 'View the photo',
  'status.no_submission': 'No photo has been submitted yet.',

  'result.lead_proof': '“样片” (proof) marks that this is not the final photo yet. After production, the final photo replaces it here.',
  'result.lead_final': 'Your photo is done: download the final photo.',
  'result.standard': 'Standard photo',
  'result.sheet': 'Layout sheet',
  'result.proof_mark': 'Proof',
  'result.download_standard': 'Download the standard photo',
  'result.download_sheet': 'Download the layout sheet',
  'result.download_final': 'Download the final photo',
  'result.save': 'Save to phone',
  'result.longpress': 'In WeChat or on an iPhone, press and hold the picture and choose “Save image” or “Add to Photos”.',
  'result.email': 'Send to e-mail',
  'result.email_label': 'E-mail',
  'result.email_send': 'Send',
  'result.email_sent': 'Sent: check your mailbox',
  'result.email_to': 'Your photo goes to the address you confirmed: {email}',
  'result.email_change': 'Use another address',
  'result.email_why': 'To protect your photo it is sent only to your own address: we first e-mail you a code, and once you type it here you can send.',
  'result.email_code_send': 'Send me a code',
  'result.email_code_sent': 'A code went to {email}; it is valid for 30 minutes. Type it here.',
  'result.email_code': 'Code',
  'result.email_code_bad': 'Enter the 6-digit code from the e-mail',
  'result.email_confirm': 'Confirm the address',
  'result.email_confirmed': 'Address confirmed',
  'result.none': 'You can download your photo here once it is approved.',

  'mine.records': 'My education records',
  'mine.orders': 'My orders',
  'mine.orders_empty': 'No orders yet',
  'mine.order_amount': '¥{amount}',
  'mine.order_state.paid': 'Paid',
  'mine.order_state.pending': 'Awaiting payment',
  'mine.order_state.closed': 'Closed',
  'mine.order_state.refunded': 'Refunded',
  'mine.messages': 'Messages',
  'mine.notify': 'Notification settings',
  'mine.drafts': 'Draft box',
  'mine.tips': 'Photo tips',
  'mine.faq': 'FAQ',
  'mine.service': 'Customer service',
  'mine.service_text': 'Check the FAQ first; if it does not help, contact the photo collection office of {school} (the teacher in charge of photo collection).',
  'mine.logout': 'Sign out',
  'mine.add': 'Add a record',

  'msg.empty': 'No messages',
  'msg.unread': 'Unread',
  'msg.mark_read': 'Mark as read',

  'faq.q1': 'How do I get my CHSI image-collection code?',
  'faq.a1': 'Sign in to CHSI (www.chsi.com.cn) “学信档案”, open “高等教育信息” → “学籍”, find the enrolment you graduate from and tap “图像采集码”; save a screenshot and upload it here.',
  'faq.q2': 'Why only the rear camera? Can I take a selfie?',
  'faq.a2': 'Live shooting allows only the rear camera: better quality and no mirror image. No selfies: ask someone to hold the phone, and keep your head and shoulders inside the frame.',
  'faq.q3': 'My photo failed the checks. What is the cooling-off period?',
  'faq.a3': 'The page lists each check that failed; adjust and try again. After a failed photo the retake button waits for a cooling-off period; when the countdown ends you can shoot again.',
  'faq.q4': 'My account is locked. What now?',
  'faq.a4': 'After repeated liveness failures (photographing a print or a screen) the school\'s photo collection office must unlock the account (retouched photos count as your school decides: see “Photo tips”); after repeated failures of other checks you can shoot again after the time shown. While locked you can still use the photos in your draft box.',
  'faq.q5': 'Can I delete photos in the draft box?',
  'faq.a5': 'A photo can be deleted a while (24 hours by default) after it was saved. When the draft box is full you cannot take more photos: delete one or use one.',
  'faq.q6': 'Can I change my photo after submitting it?',
  'faq.a6': 'While it awaits review, tap “Withdraw” and then take a new photo or choose another from the draft box. Once approved the state is “Being processed” and it can no longer be withdrawn.',
  'faq.q7': 'My photo was rejected. Do I pay again for a retake?',
  'faq.a7': 'No. Read the reasons and upload a new photo; you are not charged again.',
  'faq.q8': 'Why does my photo say “样片”?',
  'faq.a8': '“样片” (proof) means it is not the final photo. After production the final photo is uploaded back and you can download it without the mark.',
  'faq.q9': 'I get no notifications.',
  'faq.a9': 'Turn on photo status notifications under “Me” → “Notification settings”, or give an e-mail address. Unqualified photos may be reset at any time during the collection, so keep an eye on your messages.',
  'faq.q10': 'Does the background matter?',
  'faq.a10': 'No. The system replaces the background after upload; wear a top that contrasts with it (no blue tops).',

  'ev.photo': 'Your photo\'s status changed',
  'ev.submission': 'Your review status changed',
  'ev.payment': 'Your payment status changed',
  'ev.message': 'You have a new message',
});

// ---- journey state and step routing ----------------------------------------------------------

const STEP_ROUTE = {
  notice: 'notice', tips: 'tips', notify: 'notify', pay_first: 'pay', shoot: 'shoot', confirm: 'drafts',
  pay: 'pay', waiting: 'status', approved: 'status', rejected: 'status', final: 'result',
};

export async function loadJourney() {
  const j = (await api.get('/api/v1/me/journey')).data;
  state.journey = j;
  setBadge(j && j.unread);
  return j;
}

// For pages that work without the journey (home): null when the server
// has no journey for this record (or is older than the journey API).
export async function loadJourneyQuietly() {
  try { return await loadJourney(); } catch (e) {
    if (e.status === 401) throw e;
    state.journey = null;
    return null;
  }
}

function stepRoute(j) { return STEP_ROUTE[j && j.step] || 'home'; }

// After every action: ask the server what comes next and go there.
async function afterAction(replace = false) {
  const j = await loadJourney();
  go(stepRoute(j), replace);
}

// ---- small pieces -----------------------------------------------------------------------

const p2 = (n) => String(n).padStart(2, '0');
function chinaDate(sec) { return new Date(sec * 1000 + 8 * 3600 * 1000); }

// Seed 000 §13 writes the time as "XX 年 XX 月 XX 日 XX:XX:XX" (China time).
export function seedTime(sec) {
  const d = chinaDate(sec);
  const hms = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  const ymd = [d.getUTCFullYear(), p2(d.getUTCMonth() + 1), p2(d.getUTCDate())];
  return { zh: `${ymd[0]} 年 ${ymd[1]} 月 ${ymd[2]} 日 ${hms}`, en: `${ymd.join('-')} ${hms} (China time)` };
}

function fmtLeft(sec) {
  sec = Math.max(0, Math.ceil(sec));
  const hh = Math.floor(sec / 3600), mm = Math.floor((sec % 3600) / 60), ss = sec % 60;
  return hh ? `${hh}:${p2(mm)}:${p2(ss)}` : `${p2(mm)}:${p2(ss)}`;
}

const nowSec = () => Date.now() / 1000;

// Both languages of a local text, so bilingual() follows the switch; vars
// may depend on the language (a time written differently in each).
function both(key, vars) {
  const v = (l) => (typeof vars === 'function' ? vars(l) : vars);
  return { zh: localError('', key, v('zh')).zh, en: localError('', key, v('en')).en };
}

// The texts of seed 000 §12–§14 for a refusal, composed here so the time is
// written the seed's way; other refusals as the server words them.
export function refusalText(reason, { until, hasDrafts } = {}) {
  if (!reason) return null;
  const code = reason.code;
  const tail = hasDrafts ? both('lock.has_drafts') : { zh: '', en: '' };
  const join = (a) => ({ zh: a.zh + tail.zh, en: a.en + (tail.en ? ' ' + tail.en : '') });
  if (code === 'journey.locked' && until) {
    const tm = seedTime(until);
    return join(both('lock.locked', (l) => ({ time: tm[l] })));
  }
  if (code === 'journey.live_locked') return join(both('lock.live_locked'));
  if (code === 'journey.drafts_full') return both('lock.drafts_full');
  return { zh: reason.zh || reason.code, en: reason.en || reason.zh || reason.code };
}

// A live countdown: calls tick(secondsLeft) every second, then done();
// a language switch relabels at once while el is on screen.
function countdown(until, tick, done, el) {
  let timer = 0, over = false;
  const step = () => {
    if (over) return;
    const left = until - nowSec();
    if (left <= 0) { over = true; clearInterval(timer); tick(0); done(); return; }
    tick(left);
  };
  timer = setInterval(step, 1000);
  onLeave(() => clearInterval(timer));
  if (el) onLangChangeWhileMounted(el, step);
  step();
  return () => clearInterval(timer);
}

export function page(cls, ...children) { return h('div', { class: 'tc-page ' + cls }, ...children); }
function lead(key, vars) { return h('p', { class: 'tc-lead', i18n: key, i18nVars: vars }); }
export function btn(key, { primary = false, warn = false, onclick, disabled, cls = '', attrs = {} } = {}) {
  return h('button', {
    type: 'button', class: `weui-btn ${primary ? 'weui-btn_primary' : warn ? 'weui-btn_warn' : 'weui-btn_default'} ${cls}`,
    i18n: key, onclick, disabled, ...attrs,
  });
}
function linkBtn(key, href, primary = false, vars) {
  return h('a', { href, class: `weui-btn ${primary ? 'weui-btn_primary' : 'weui-btn_default'}`, i18n: key, i18nVars: vars });
}
export function btnArea(...children) { return h('div', { class: 'weui-btn-area tc-btns' }, ...children); }

// A box with a refusal or lock text (role=status so it is read out).
function noticeBox(text, kind = 'warn') {
  const p = h('p', { class: 'tc-box__text' });
  bilingual(p, text);
  return h('div', { class: `tc-box tc-box_${kind}`, role: kind === 'warn' ? 'alert' : 'status' },
    h('i', { class: kind === 'warn' ? 'weui-icon-warn' : 'weui-icon-info-circle', 'aria-hidden': 'true' }), p);
}

// A modal confirmation (weui dialog), keyboard and screen-reader usable.
function confirmDialog(bodyKey, okKey = 'common.ok', { warn = false } = {}) {
  return new Promise((resolve) => {
    const titleId = newId('dlg');
    const prev = document.activeElement;
    const close = (v) => { wrap.remove(); document.removeEventListener('keydown', onKey); if (prev && prev.focus) prev.focus(); resolve(v); };
    const onKey = (e) => { if (e.key === 'Escape') close(false); };
    const ok = h('button', { type: 'button', class: `weui-dialog__btn ${warn ? 'tc-dialog__warn' : 'weui-dialog__btn_primary'}`, i18n: okKey, onclick: () => close(true) });
    const wrap = h('div', { class: 'tc-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId },
      h('div', { class: 'weui-mask' }),
      h('div', { class: 'weui-dialog' },
        h('div', { class: 'weui-dialog__bd', id: titleId, i18n: bodyKey }),
        h('div', { class: 'weui-dialog__ft' },
          h('button', { type: 'button', class: 'weui-dialog__btn weui-dialog__btn_default', i18n: 'common.cancel', onclick: () => close(false) }),
          ok)));
    document.body.append(wrap);
    document.addEventListener('keydown', onKey);
    ok.focus();
  });
}

function proofImg(url, altKey = 'photo.proof_alt', cls = 'tc-proof') {
  return h('img', { class: cls, src: url, i18nAttr: { alt: altKey }, decoding: 'async' });
}

// ---- bottom tab bar and unread badge ------------------------------------------------------------

let tabbar = null;
let badgeEl = null;
let badgeSr = null; // "（2 条未读）" after the tab's label, for screen readers
function buildTabbar() {
  badgeEl = h('span', { class: 'weui-badge tc-badge', hidden: true, 'aria-hidden': 'true' });
  badgeSr = h('span', { class: 'tc-sr' });
  const item = (key, href, tab, extra) => h('a', { href, class: 'weui-tabbar__item tc-tab', dataset: { tab } },
    h('span', { class: `tc-tab__icon tc-tab__icon_${tab}`, 'aria-hidden': 'true' }, icon(tab)), extra || null,
    h('span', { class: 'weui-tabbar__label', i18n: key }), tab === 'messages' ? badgeSr : null);
  tabbar = h('nav', { class: 'weui-tabbar tc-tabbar', i18nAttr: { 'aria-label': 'tab.label' }, hidden: true },
    item('tab.home', '#/home', 'home'),
    item('tab.messages', '#/messages', 'messages', badgeEl),
    item('tab.mine', '#/mine', 'mine'));
  document.body.append(tabbar);
}

function setBadge(n) {
  if (!badgeEl) return;
  n = Number(n) || 0;
  badgeEl.hidden = n <= 0;
  badgeEl.textContent = n > 99 ? '99+' : String(n);
  badgeEl.dataset.n = String(n);
  badgeSr.textContent = n > 0 ? `（${t('tab.unread', { n })}）` : '';
}

function tabbarFor(tab) {
  if (!tabbar) return;
  tabbar.hidden = !state.me || !tab;
  document.body.classList.toggle('tc-has-tabbar', !tabbar.hidden);
  for (const a of tabbar.querySelectorAll('.tc-tab')) {
    const on = a.dataset.tab === tab;
    a.classList.toggle('weui-bar__item_on', on);
    if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
}

// ---- live updates (Server-Sent Events) ----------------------------------------------------

let es = null;
let refreshTimer = 0;
export function startEvents() {
  if (es || typeof EventSource === 'undefined') return;
  es = new EventSource('/api/v1/me/events');
  for (const type of ['photo', 'submission', 'payment', 'message']) {
    es.addEventListener(type, (ev) => {
      let data = null;
      try { data = JSON.parse(ev.data); } catch { /* no body */ }
      window.dispatchEvent(new CustomEvent('tc:event', { detail: { type, data } }));
      if (type === 'message') loadJourneyQuietly().catch(() => {});
      // The current page shows what the server says now, without jumping.
      if (isLive(currentView())) {
        clearTimeout(refreshTimer);
        refreshTimer = setTimeout(() => render({ quiet: true }), 150);
      }
    });
  }
  es.onerror = () => {
    // The browser reconnects by itself; a closed stream (signed out) stops here.
    if (es && es.readyState === EventSource.CLOSED) { es = null; }
  };
}
export function stopEvents() {
  if (es) es.close();
  es = null;
  setBadge(0);
}

// ---- home: the current record's next step -------------------------------------------------

// The batch's closing time: the date, and how long is left.
function deadline(j) {
  const ends = j.settings && j.settings.ends_at;
  if (!ends) return null;
  const now = j.now || Math.floor(Date.now() / 1000);
  const left = ends - now;
  const days = Math.ceil(left / 86400);
  const done = j.step === 'approved' || j.step === 'final';
  const tag = left <= 0 ? h('span', { class: 'tc-deadline__left is-past', i18n: 'home.deadline_past' })
    : done ? null
      : left <= 86400 ? h('span', { class: 'tc-deadline__left is-soon', i18n: 'home.deadline_today' })
        : h('span', { class: 'tc-deadline__left' + (days <= 3 ? ' is-soon' : ''), i18n: 'home.deadline_left', i18nVars: { n: days } });
  return h('p', { class: 'tc-deadline' }, h('span', { i18n: 'home.deadline', i18nVars: { time: fmtTime(ends) } }), tag);
}

// The school's contact (a school setting): phone, WeChat, office hours.
export function contactBlock(j, cls = 'tc-contact') {
  const c = j && j.school && j.school.contact;
  if (!c || typeof c !== 'object' || !(c.phone || c.wechat || c.hours)) return null;
  const row = (key, value, href) => (value ? h('div', { class: 'tc-contact__row' },
    h('dt', { i18n: key }), h('dd', {}, href ? h('a', { href, text: value }) : h('span', { text: value }))) : null);
  return h('div', { class: cls },
    h('p', { class: 'tc-contact__title', i18n: 'home.contact' }),
    h('dl', {}, row('contact.phone', c.phone, 'tel:' + c.phone.replace(/[^0-9+]/g, '')), row('contact.wechat', c.wechat),
      row('contact.hours', c.hours)));
}

export function homeJourneyCard() {
  const j = state.journey;
  if (!j) return null;
  const fresh = j.step === 'notice' && !(j.progress && j.progress.notice_read);
  return h('div', { class: 'tc-record__journey' },
    deadline(j),
    h('p', { class: 'tc-record__step', dataset: { step: j.step }, i18n: 'home.next', i18nVars: { step: t('step.' + j.step) } }),
    j.step === 'final'
      ? h('a', { href: '#/result', class: 'weui-btn weui-btn_primary tc-start', i18n: 'home.view_result' })
      : h('a', { href: '#/journey', class: 'weui-btn weui-btn_primary tc-start', i18n: fresh ? 'home.start' : 'home.continue' }),
    contactBlock(j));
}

// ---- the school's notice --------------------------------------------------------------------

// The notice is the school's HTML: only plain text markup is kept (no
// scripts, styles, event handlers or remote content), links open outside.
const ALLOWED = new Set(['P', 'BR', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'UL', 'OL', 'LI', 'STRONG', 'B', 'EM', 'I', 'U',
  'A', 'SPAN', 'DIV', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'BLOCKQUOTE', 'HR', 'SMALL', 'SUB', 'SUP', 'IMG']);
function sanitize(html) {
  const doc = new DOMParser().parseFromString(`<body>${html || ''}</body>`, 'text/html');
  const copy = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.textContent);
    if (node.nodeType !== Node.ELEMENT_NODE) return null;
    if (!ALLOWED.has(node.tagName)) {
      if (['SCRIPT', 'STYLE', 'IFRAME', 'OBJECT', 'TEMPLATE'].includes(node.tagName)) return null;
      const frag = document.createDocumentFragment();
      for (const c of node.childNodes) { const x = copy(c); if (x) frag.append(x); }
      return frag;
    }
    const el = document.createElement(node.tagName.toLowerCase());
    if (node.tagName === 'A') {
      const href = node.getAttribute('href') || '';
      if (/^(https?:|mailto:|tel:)/i.test(href)) { el.href = href; el.target = '_blank'; el.rel = 'noopener noreferrer'; }
    }
    if (node.tagName === 'IMG') {
      const src = node.getAttribute('src') || '';
      if (!/^(\/|data:image\/)/.test(src)) return null; // same site only (the CSP blocks the rest anyway)
      el.src = src; el.alt = node.getAttribute('alt') || '';
    }
    if (['TD', 'TH'].includes(node.tagName)) for (const a of ['colspan', 'rowspan']) if (node.hasAttribute(a)) el.setAttribute(a, node.getAttribute(a));
    for (const c of node.childNodes) { const x = copy(c); if (x) el.append(x); }
    return el;
  };
  const frag = document.createDocumentFragment();
  for (const c of doc.body.childNodes) { const x = copy(c); if (x) frag.append(x); }
  return frag;
}

// Seed 004: what the photo is for, where the student reads the notice and the tips.
function serious() {
  return h('p', { class: 'tc-serious', role: 'note', i18n: 'tips.serious' });
}

async function noticeView() {
  const j = await loadJourney();
  const err = errorRegion();
  const next = btn('common.next', { primary: true, disabled: true, cls: 'tc-next' });
  const hint = h('p', { class: 'tc-hint', i18n: 'notice.scroll_hint', 'aria-live': 'polite' });
  const html = j.school && j.school.notice_html;
  const end = h('div', { class: 'tc-notice__end', 'aria-hidden': 'true' });
  const titleId = newId('notice');
  const body = h('div', { class: 'tc-notice__body' }, html ? sanitize(html) : h('p', { i18n: 'notice.empty' }), end);
  const box = h('section', { class: 'tc-notice', tabindex: '0', role: 'region', 'aria-labelledby': titleId },
    h('h2', { class: 'tc-notice__title', id: titleId, text: (j.school && j.school.name) || '' }), body);
  const enable = () => { next.disabled = false; hint.hidden = true; };
  // "下一步" becomes usable once the end of the notice has been on screen.
  const io = new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) { enable(); io.disconnect(); } },
    { root: box, threshold: 0 });
  io.observe(end);
  onLeave(() => io.disconnect());
  if (j.progress && j.progress.notice_read) enable();
  next.addEventListener('click', async () => {
    showError(err, null);
    try {
      await withBusy('common.working', () => api.post('/api/v1/me/notice/read'));
      await afterAction();
    } catch (e) { showError(err, e); }
  });
  return page('tc-notice-page', lead('notice.lead'), serious(), box, hint, err, btnArea(next));
}

// ---- the shooting tips --------------------------------------------------------------------

function bgName(bg) {
  const b = String(bg || 'blue').toLowerCase();
  if (b.includes('blue')) return 'bg.blue';
  if (b.includes('white')) return 'bg.white';
  if (b.includes('red')) return 'bg.red';
  return 'bg.other';
}

function tipsContent(j) {
  const set = (j && j.settings) || {};
  const examples = h('ul', { class: 'tc-examples' }, EXAMPLES.map(([variant, ok, key]) => h('li', { class: 'tc-example' + (ok ? ' is-ok' : ' is-bad') },
    portrait(variant, ok),
    h('span', { class: 'tc-example__verdict', i18n: ok ? 'tips.example_ok' : 'tips.example_bad' }),
    h('span', { class: 'tc-example__text', i18n: key }))));
  // the 美颜 rule says what the server does (the school's retouch_lock, seed 001 §5)
  const r5 = set.retouch_lock === 'timed' ? 'tips.r5_timed' : 'tips.r5';
  const rules = ['tips.r1', 'tips.r2', 'tips.r3', 'tips.r4', r5, 'tips.r6',
    set.glasses === 'forbidden' ? 'tips.r7_forbidden' : 'tips.r7', 'tips.r8', 'tips.r9', 'tips.r10'];
  const bgVars = { bg: t(bgName(set.background)) };
  const vars = {
    'tips.r1': bgVars,
    [r5]: { n: set.liveness_lock_after || 3, m: set.lock_after_fails || 5, h: set.lock_hours ?? 24 },
  };
  return [
    h('h2', { class: 'tc-h2', i18n: 'tips.examples' }),
    h('div', { class: 'tc-figure-main' }, portrait('good', true, 'tc-fig tc-fig_big')),
    examples,
    h('h2', { class: 'tc-h2', i18n: 'tips.rules' }),
    h('ol', { class: 'tc-rules' }, rules.map((k) => h('li', { i18n: k, i18nVars: vars[k] }))),
    h('h2', { class: 'tc-h2', i18n: 'tips.how' }),
    h('ol', { class: 'tc-rules' }, ['tips.h1', 'tips.h2', 'tips.h3', 'tips.h4', 'tips.h5'].map((k) => h('li', { i18n: k }))),
  ];
}

async function tipsView() {
  const j = await loadJourney();
  const err = errorRegion();
  const tickId = newId('tick');
  const tick = h('input', { type: 'checkbox', class: 'weui-check', id: tickId, name: 'tips_read', checked: !!(j.progress && j.progress.tips_read) });
  const start = btn('tips.start', { primary: true, disabled: !tick.checked, cls: 'tc-next' });
  tick.addEventListener('change', () => { start.disabled = !tick.checked; });
  start.addEventListener('click', async () => {
    showError(err, null);
    if (!tick.checked) { showError(err, localError('tips.unticked', 'tips.must_tick')); return; }
    try {
      await withBusy('common.working', () => api.post('/api/v1/me/tips/read'));
      await afterAction();
    } catch (e) { showError(err, e); }
  });
  return page('tc-tips', lead('tips.lead'), serious(), ...tipsContent(j),
    h('div', { class: 'weui-cells weui-cells_checkbox tc-tick' },
      h('label', { class: 'weui-cell weui-cell_active weui-check__label', for: tickId },
        h('div', { class: 'weui-cell__hd' }, tick, h('i', { class: 'weui-icon-checked', 'aria-hidden': 'true' })),
        h('div', { class: 'weui-cell__bd' }, h('span', { i18n: 'tips.read' })))),
    err, btnArea(start));
}

// ---- notification choice (seed 000 §7) ------------------------------------------------------

function switchCell(id, key, checked, tipKey) {
  const input = h('input', { class: 'weui-switch', type: 'checkbox', id, checked, 'aria-describedby': tipKey ? id + '-tip' : null });
  return [h('div', { class: 'weui-cell weui-cell_active weui-cell_switch' },
    h('div', { class: 'weui-cell__bd' }, h('label', { for: id, i18n: key }),
      tipKey ? h('div', { class: 'tc-cell-tip', id: id + '-tip', i18n: tipKey }) : null),
    h('div', { class: 'weui-cell__ft' }, input)), input];
}

async function notifyView() {
  const j = await loadJourney();
  const n = j.notify || {};
  const chosen = j.progress && j.progress.notify_chosen;
  const err = errorRegion();
  const schoolPays = j.settings && j.settings.pay_when === 'school';
  const [statusCell, status] = switchCell(newId('ns'), 'notify.status', chosen ? !!n.status : true, 'notify.status_tip');
  const [payCell, payment] = switchCell(newId('np'), 'notify.payment', chosen ? !!n.payment : true);
  // SMS to the roster phone; WeChat inside WeChat, when the server offers it
  const [smsCell, sms] = switchCell(newId('nsms'), 'notify.sms', !!n.sms, 'notify.sms_tip');
  const wxOffered = n.wechat_available && /MicroMessenger/i.test(navigator.userAgent || '');
  const wxBack = sessionStorage.getItem('tc-notify-wechat') === '1';
  sessionStorage.removeItem('tc-notify-wechat');
  const [wxCell, wechat] = switchCell(newId('nwx'), 'notify.wechat', !!n.wechat || wxBack, 'notify.wechat_tip');
  const emailId = newId('email');
  const email = h('input', { class: 'weui-input', id: emailId, type: 'email', name: 'email', autocomplete: 'email', inputmode: 'email', value: n.email || '', i18nAttr: { placeholder: 'notify.email_ph' } });
  const form = h('form', { class: 'tc-form', novalidate: true },
    h('div', { class: 'weui-cells' }, statusCell, schoolPays ? null : payCell, n.has_phone ? smsCell : null, wxOffered ? wxCell : null),
    h('div', { class: 'weui-cells weui-cells_form' },
      h('div', { class: 'weui-cell weui-cell_active' },
        h('div', { class: 'weui-cell__hd' }, h('label', { class: 'weui-label', for: emailId, i18n: 'notify.email' })),
        h('div', { class: 'weui-cell__bd' }, email))),
    n.email_confirmed
      ? h('p', { class: 'weui-cells__tips tc-email-confirmed', i18n: 'notify.email_confirmed', i18nVars: { email: n.email_confirmed } }) : null,
    n.email && n.email !== n.email_confirmed
      ? h('p', { class: 'weui-cells__tips tc-email-unconfirmed', i18n: 'notify.email_unconfirmed', i18nVars: { email: n.email } }) : null,
    h('p', { class: 'weui-cells__tips', i18n: 'notify.inapp' }),
    err,
    btnArea(h('button', { type: 'submit', class: 'weui-btn weui-btn_primary tc-next', i18n: 'common.next' })));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError(err, null);
    const mail = email.value.trim();
    if (mail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(mail)) { showError(err, localError('journey.bad_email', 'notify.email_bad')); email.focus(); return; }
    try {
      const body = { status: status.checked, payment: schoolPays ? false : payment.checked, email: mail };
      if (n.has_phone) body.sms = sms.checked;
      if (wxOffered) body.wechat = wechat.checked;
      try {
        await withBusy('common.working', () => api.post('/api/v1/me/notify', body));
      } catch (e) {
        // WeChat gives the openid through its web authorisation: go there and come back
        if (e.code !== 'journey.wechat_unauthorised') throw e;
        const r = await api.post('/api/v1/wechat/oauth/start', { return: '/#/notify' });
        sessionStorage.setItem('tc-notify-wechat', '1');
        window.location.href = r.data.url;
        return;
      }
      // a new address: the code goes there now, and the student types it here
      // (notification e-mails go to a confirmed address only)
      if (mail && mail !== n.email_confirmed) {
        await withBusy('common.working', () => api.post('/api/v1/me/email/code', { email: mail }));
        codeStep(mail);
        return;
      }
      await done();
    } catch (e) { showError(err, e); }
  });
  const done = async () => { if (chosen) { toast('notify.saved'); await loadJourney(); go('mine'); } else await afterAction(); };
  const codeStep = (mail) => {
    const cerr = errorRegion();
    const id = newId('ncode');
    const code = h('input', { class: 'weui-input', type: 'text', id, autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: '6', pattern: '[0-9]{6}' });
    const cform = h('form', { class: 'tc-form tc-notify-code', novalidate: true },
      h('p', { class: 'weui-cells__tips', i18n: 'notify.email_code_sent', i18nVars: { email: mail } }),
      h('div', { class: 'weui-cells weui-cells_form' },
        h('div', { class: 'weui-cell weui-cell_active' },
          h('div', { class: 'weui-cell__hd' }, h('label', { class: 'weui-label', for: id, i18n: 'notify.email_code' })),
          h('div', { class: 'weui-cell__bd' }, code))),
      cerr,
      btnArea(h('button', { type: 'submit', class: 'weui-btn weui-btn_primary tc-email-confirm', i18n: 'notify.email_confirm' }),
        h('button', { type: 'button', class: 'weui-btn weui-btn_default tc-email-later', i18n: 'notify.email_later' })));
    cform.querySelector('.tc-email-later').addEventListener('click', () => { done().catch((e) => showError(cerr, e)); });
    cform.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(cerr, null);
      const v = code.value.trim();
      if (!/^[0-9]{6}$/.test(v)) { showError(cerr, localError('journey.email_code_wrong', 'result.email_code_bad')); code.focus(); return; }
      try {
        await withBusy('common.working', () => api.post('/api/v1/me/email/confirm', { code: v }));
        toast('result.email_confirmed');
        await done();
      } catch (e) { showError(cerr, e); }
    });
    form.replaceWith(cform);
    code.focus();
  };
  return page('tc-notify', lead('notify.lead'), form);
}

// ---- shooting: the choice, and refusals ------------------------------------------------------

// The server answers shoot.allowed for live shooting; "watch the tutorial
// first" is not a block here: the live choice leads to the tutorial.
function canShoot(j) {
  const sh = j.shoot || {};
  return !!sh.allowed || !!(sh.reason && sh.reason.code === 'journey.tutorial_unwatched');
}

function shootRefusal(j) {
  const sh = j.shoot || {};
  if (canShoot(j) || !sh.reason) return null;
  const hasDrafts = (j.drafts || []).length > 0;
  if (sh.reason.code === 'journey.cooloff' && sh.cooloff_until) return null; // the countdown says it
  const until = sh.locked_until || sh.reason.until;
  return refusalText(sh.reason, { until, hasDrafts });
}

async function shootView() {
  const j = await loadJourney();
  const sh = j.shoot || {};
  const set = j.settings || {};
  const drafts = j.drafts || [];
  const parts = [];
  const refusal = shootRefusal(j);
  const blocked = !canShoot(j);
  if (refusal) parts.push(noticeBox(refusal));
  let coolEl = null;
  if (blocked && sh.cooloff_until && sh.cooloff_until > nowSec()) {
    coolEl = h('p', { class: 'tc-box tc-box_info tc-cooloff', role: 'timer', 'aria-live': 'off' });
    parts.push(coolEl);
  }
  const choice = (key, tipKey, iconName, href, mode) => {
    const attrs = { class: 'tc-choice' + (blocked ? ' is-disabled' : ''), dataset: { mode } };
    const inner = [icon(iconName), h('span', { class: 'tc-choice__text' }, h('strong', { i18n: key }), h('small', { i18n: tipKey }))];
    return blocked ? h('div', { ...attrs, 'aria-disabled': 'true', role: 'link' }, inner) : h('a', { ...attrs, href }, inner);
  };
  const liveHref = j.progress && j.progress.tutorial_done ? '#/camera' : '#/tutorial';
  const choices = h('div', { class: 'tc-choices', role: 'group', 'aria-label': t('shoot.lead') },
    set.live_allowed === false ? null : choice('shoot.live', 'shoot.live_tip', 'camera', liveHref, 'live'),
    set.album_allowed ? choice('shoot.album', 'shoot.album_tip', 'album', '#/album', 'album') : null);
  const node = page('tc-shoot', lead('shoot.lead'), ...parts, choices,
    btnArea(
      drafts.length || (sh.reason && /lock|full/.test(sh.reason.code))
        ? linkBtn('shoot.drafts', '#/drafts', !!refusal, { n: drafts.length, cap: set.draft_capacity || 3 }) : null,
      linkBtn('shoot.read_tips', '#/tips')));
  if (coolEl) {
    const tm = seedTime(sh.cooloff_until);
    countdown(sh.cooloff_until, (left) => {
      coolEl.textContent = t('shoot.cooloff', { time: getLang() === 'zh' ? tm.zh : tm.en }) + ' · ' + fmtLeft(left);
    }, () => render({ quiet: true }), coolEl);
  }
  return node;
}

// Upload a picture; on 202 go to the production page.  A refusal that
// is a lock or a full draft box sends the student to the shooting page,
// which shows the seed's text.
async function uploadPhoto(blob, name, source, err) {
  showError(err, null);
  const fd = new FormData();
  fd.append('photo', blob, name);
  fd.append('source', source);
  try {
    const res = await withBusy('shoot.uploading', () => api.postForm('/api/v1/me/photos', fd));
    const photo = res.data && res.data.photo;
    go('photo/' + photo.id);
    return true;
  } catch (e) {
    // every refusal is shown where the student is, in the server's words (the cool-off or
    // lock with its time, a full draft box …); the journey is refreshed behind it
    showError(err, e);
    if (e instanceof ApiError && ['journey.locked', 'journey.live_locked', 'journey.drafts_full', 'journey.cooloff'].includes(e.code))
      await loadJourney().catch(() => {});
    return false;
  }
}

// ---- the tutorial (seed 000 §8): watched to the end before "next" ---------------------------

const SCENE_MS = 2400;

async function tutorialView() {
  const j = await loadJourney();
  if (!canShoot(j)) { go('shoot', true); return null; }
  const err = errorRegion();
  const total = SCENES.length * SCENE_MS;
  let elapsed = 0, playing = true, ended = false, last = performance.now(), scene = -1;
  const already = !!(j.progress && j.progress.tutorial_done);
  const stage = h('div', { class: 'tc-video__stage' });
  const caption = h('p', { class: 'tc-video__caption', 'aria-live': 'polite' });
  const bar = h('div', { class: 'tc-video__bar' });
  const progress = h('div', { class: 'tc-video__progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0', i18nAttr: { 'aria-label': 'tutorial.progress' } }, bar);
  const play = h('button', { type: 'button', class: 'tc-video__play', i18nAttr: { 'aria-label': 'tutorial.pause' }, dataset: { state: 'playing' } });
  const next = btn('common.next', { primary: true, disabled: !already, cls: 'tc-next' });
  const status = h('p', { class: 'tc-hint', 'aria-live': 'polite', i18n: already ? 'tutorial.watched' : 'tutorial.must_watch' });
  const video = h('div', { class: 'tc-video', role: 'group', dataset: { state: 'playing' }, i18nAttr: { 'aria-label': 'nav.tutorial' } }, stage, caption,
    h('div', { class: 'tc-video__controls' }, play, progress));

  const showScene = (i) => {
    if (i === scene) return;
    scene = i;
    stage.replaceChildren ? stage.replaceChildren(SCENES[i]()) : (stage.textContent = '', stage.append(SCENES[i]()));
    caption.dataset.i18n = `tutorial.s${i + 1}`;
    caption.textContent = t(`tutorial.s${i + 1}`);
  };
  const setPlaying = (on) => {
    playing = on;
    last = performance.now();
    const key = ended ? 'tutorial.replay' : on ? 'tutorial.pause' : 'tutorial.play';
    play.dataset.i18nAttr = `aria-label:${key}`;
    play.setAttribute('aria-label', t(key));
    play.dataset.state = ended ? 'ended' : on ? 'playing' : 'paused';
    video.dataset.state = play.dataset.state;
    video.classList.toggle('is-paused', !on);
  };
  const finish = async () => {
    ended = true;
    setPlaying(false);
    status.dataset.i18n = 'tutorial.watched';
    status.textContent = t('tutorial.watched');
    try {
      await api.post('/api/v1/me/tutorial/done');
      next.disabled = false;
    } catch (e) { showError(err, e); }
  };
  play.addEventListener('click', () => {
    if (ended) { ended = false; elapsed = 0; scene = -1; setPlaying(true); return; }
    setPlaying(!playing);
  });
  const timer = setInterval(() => {
    const now = performance.now();
    // Time counts only while playing and visible: a hidden tab is not watching.
    if (playing && !ended && document.visibilityState === 'visible') elapsed += now - last;
    last = now;
    const pct = Math.min(100, (elapsed / total) * 100);
    bar.style.width = pct.toFixed(1) + '%'; // CSSOM, allowed by the CSP (not a style attribute)
    progress.setAttribute('aria-valuenow', String(Math.round(pct)));
    showScene(Math.min(SCENES.length - 1, Math.floor(elapsed / SCENE_MS)));
    if (!ended && elapsed >= total) finish();
  }, 100);
  onLeave(() => clearInterval(timer));
  showScene(0);
  next.addEventListener('click', () => go('camera'));
  return page('tc-tutorial', lead('tutorial.lead'), video, status, err, btnArea(next));
}

// ---- the viewfinder (seed 000 §9–§10) --------------------------------------------------------

// Rear camera only.  facingMode {exact: environment} first; a browser that
// cannot honour "exact" (no facing information, e.g. some in-app webviews
// and desktop cameras) is asked again without it, and a camera that then
// says it faces the user is refused.
async function openRearCamera() {
  const md = navigator.mediaDevices;
  if (!md || !md.getUserMedia) throw Object.assign(new Error('unsupported'), { name: 'Unsupported' });
  const size = { width: { ideal: 1440 }, height: { ideal: 1920 } };
  const exact = (md.getSupportedConstraints ? md.getSupportedConstraints() : {}).facingMode !== false;
  try {
    if (exact) return await md.getUserMedia({ audio: false, video: { facingMode: { exact: 'environment' }, ...size } });
  } catch (e) {
    if (e.name !== 'OverconstrainedError' && e.name !== 'ConstraintNotSatisfiedError') throw e;
  }
  const stream = await md.getUserMedia({ audio: false, video: { facingMode: 'environment', ...size } });
  const track = stream.getVideoTracks()[0];
  const facing = track && track.getSettings ? track.getSettings().facingMode : undefined;
  if (facing === 'user') {
    stream.getTracks().forEach((tr) => tr.stop());
    throw Object.assign(new Error('front camera'), { name: 'NoRearCamera' });
  }
  return stream;
}

async function cameraView() {
  const j = await loadJourney();
  if (!canShoot(j)) { go('shoot', true); return null; }
  if (!(j.progress && j.progress.tutorial_done)) { go('tutorial', true); return null; }
  const err = errorRegion();
  const video = h('video', { class: 'tc-viewfinder__video', playsinline: true, muted: true, autoplay: true, 'aria-hidden': 'true' });
  video.muted = true;
  video.setAttribute('playsinline', '');
  const canvas = h('canvas', { class: 'tc-viewfinder__canvas', hidden: true, role: 'img', i18nAttr: { 'aria-label': 'camera.preview' } });
  const status = h('p', { class: 'tc-viewfinder__status', role: 'status', i18n: 'camera.starting' });
  // the guide is drawn from the batch's spec; without it, from 学信网's proportions
  const spec = await api.get('/api/v1/me/spec').then((r) => r.data.spec, () => null);
  const finder = h('div', { class: 'tc-viewfinder', role: 'group', i18nAttr: { 'aria-label': 'camera.region' } }, video, canvas, outline(spec), status);
  const shutter = h('button', { type: 'button', class: 'tc-shutter', disabled: true, i18nAttr: { 'aria-label': 'camera.shutter' } });
  const retake = btn('camera.retake', { cls: 'tc-retake' });
  const ok = btn('camera.confirm', { primary: true, cls: 'tc-confirm-photo' });
  const previewBtns = h('div', { class: 'tc-btn-row', hidden: true }, retake, ok);
  const checkHint = h('p', { class: 'tc-hint', hidden: true, i18n: 'camera.check_preview' });
  const fallback = h('div', { class: 'tc-fallback', hidden: true });
  let stream = null;
  const stop = () => { if (stream) stream.getTracks().forEach((tr) => tr.stop()); stream = null; };
  onLeave(stop);

  const showFallback = (reasonKey) => {
    stop();
    finder.hidden = true;
    shutter.hidden = true;
    fallback.hidden = false;
    const inputId = newId('cap');
    const input = h('input', { type: 'file', accept: 'image/*', capture: 'environment', id: inputId, class: 'tc-file-input', 'aria-describedby': inputId + '-why' });
    const preview = h('img', { class: 'tc-proof', hidden: true, i18nAttr: { alt: 'camera.preview' } });
    const send = btn('camera.confirm', { primary: true, cls: 'tc-confirm-photo', attrs: { hidden: true } });
    let file = null;
    input.addEventListener('change', () => {
      file = input.files[0] || null;
      if (!file) return;
      if (preview.src) URL.revokeObjectURL(preview.src);
      preview.src = URL.createObjectURL(file);
      preview.hidden = false;
      send.hidden = false;
    });
    send.addEventListener('click', () => { if (file) uploadPhoto(file, file.name || 'photo.jpg', 'camera', err); });
    fallback.append(
      h('div', { class: 'tc-box tc-box_warn', role: 'alert', id: inputId + '-why' },
        h('i', { class: 'weui-icon-warn', 'aria-hidden': 'true' }),
        h('p', { class: 'tc-box__text' }, h('span', { i18n: reasonKey }), ' ', h('span', { i18n: 'camera.fallback' }))),
      input, h('label', { for: inputId, class: 'weui-btn weui-btn_primary tc-file-btn' }, h('span', { i18n: 'camera.fallback_btn' })),
      preview, btnArea(send));
  };

  (async () => {
    try {
      stream = await openRearCamera();
      if (!finder.isConnected && !document.body.contains(finder)) { /* may still be mounting */ }
      video.srcObject = stream;
      await video.play().catch(() => {});
      status.hidden = true;
      shutter.disabled = false;
    } catch (e) {
      const key = e.name === 'NotAllowedError' || e.name === 'SecurityError' ? 'camera.denied'
        : e.name === 'Unsupported' ? 'camera.unsupported' : 'camera.no_rear';
      showFallback(key);
    }
  })();

  shutter.addEventListener('click', () => {
    const w = video.videoWidth, hgt = video.videoHeight;
    if (!w || !hgt) return;
    canvas.width = w;
    canvas.height = hgt;
    canvas.getContext('2d').drawImage(video, 0, 0, w, hgt);
    canvas.hidden = false;
    video.hidden = true;
    shutter.hidden = true;
    previewBtns.hidden = false;
    checkHint.hidden = false;
    finder.classList.add('is-preview');
    ok.focus();
  });
  retake.addEventListener('click', () => {
    canvas.hidden = true;
    video.hidden = false;
    shutter.hidden = false;
    previewBtns.hidden = true;
    checkHint.hidden = true;
    finder.classList.remove('is-preview');
    shutter.focus();
  });
  ok.addEventListener('click', () => {
    ok.disabled = true;
    canvas.toBlob(async (blob) => {
      if (!blob) { ok.disabled = false; return; }
      const sent = await uploadPhoto(blob, 'camera.jpg', 'camera', err);
      if (sent) stop(); else ok.disabled = false;
    }, 'image/jpeg', 0.92);
  });
  return page('tc-camera', lead('camera.lead'), finder, fallback, checkHint, err,
    h('div', { class: 'tc-shutter-row' }, shutter), previewBtns);
}

// ---- album upload ---------------------------------------------------------------------------

async function albumView() {
  const j = await loadJourney();
  if (!(j.settings && j.settings.album_allowed)) {
    return page('tc-album', noticeBox(both('album.not_allowed')), btnArea(linkBtn('common.back', '#/shoot')));
  }
  if (!canShoot(j)) { go('shoot', true); return null; }
  const err = errorRegion();
  const inputId = newId('album');
  const input = h('input', { type: 'file', accept: 'image/*', id: inputId, name: 'photo', class: 'tc-file-input' });
  const label = h('label', { for: inputId, class: 'weui-btn weui-btn_default tc-file-btn' }, h('span', { i18n: 'album.choose' }));
  const preview = h('img', { class: 'tc-proof', hidden: true, i18nAttr: { alt: 'camera.preview' } });
  const send = btn('album.upload', { primary: true, disabled: true, cls: 'tc-confirm-photo' });
  let file = null;
  input.addEventListener('change', () => {
    file = input.files[0] || null;
    if (!file) return;
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
    send.disabled = false;
    label.firstChild.dataset.i18n = 'album.rechoose';
    label.firstChild.textContent = t('album.rechoose');
  });
  send.addEventListener('click', async () => {
    if (!file) return;
    send.disabled = true;
    if (!await uploadPhoto(file, file.name || 'photo.jpg', 'album', err)) send.disabled = false;
  });
  return page('tc-album', lead('album.lead'), preview, h('div', { class: 'tc-center tc-pad' }, input, label), err, btnArea(send));
}

// ---- production and checks (seed 000 §11) -------------------------------------------------------

const TERMINAL = new Set(['draft', 'failed', 'error', 'used', 'deleted']);

async function photoView(id) {
  const err = errorRegion();
  let photo = (await api.get(`/api/v1/me/photos/${encodeURIComponent(id)}`)).data;
  // a live region: the result (draft, or the failed checks) is read out when it arrives
  const body = h('div', { class: 'tc-photo', 'aria-live': 'polite' });
  const node = page('tc-photo-page', body, err);
  const show = async () => {
    if (photo.state === 'processing') body.replaceChildren(processing());
    else body.replaceChildren(await finished(photo));
    body.dataset.state = photo.state;
  };
  const started = performance.now();
  const processing = () => {
    const bar = h('div', { class: 'tc-progress__bar' });
    const pct = Math.min(92, 8 + (performance.now() - started) / 250);
    bar.style.width = pct + '%';
    return h('div', { class: 'tc-processing' },
      h('div', { class: 'tc-processing__icon', 'aria-hidden': 'true' }, h('span', { class: 'weui-primary-loading' }, h('span', { class: 'weui-primary-loading__dot' }))),
      h('p', { class: 'tc-processing__text', role: 'status', i18n: 'photo.processing' }),
      h('div', { class: 'tc-progress', 'aria-hidden': 'true' }, bar),
      h('ol', { class: 'tc-steps', i18nAttr: { 'aria-label': 'photo.steps' } },
        h('li', { class: 'is-done', i18n: 'photo.step_upload' }),
        h('li', { class: 'is-current', i18n: 'photo.step_make' }),
        h('li', { i18n: 'photo.step_check' })));
  };
  await show();
  if (photo.state === 'processing') {
    let busy = false, stopped = false;
    const poll = async () => {
      if (busy || stopped) return;
      busy = true;
      try {
        photo = (await api.get(`/api/v1/me/photos/${encodeURIComponent(id)}`)).data;
        if (TERMINAL.has(photo.state)) { stopped = true; clearInterval(timer); await show(); if (currentView() === 'photo') document.getElementById('page-title').focus(); }
        else { const bar = body.querySelector('.tc-progress__bar'); if (bar) bar.style.width = Math.min(92, 8 + (performance.now() - started) / 250) + '%'; }
      } catch (e) { showError(err, e); } finally { busy = false; }
    };
    const timer = setInterval(poll, 1000);
    const onEvent = (ev) => { if (ev.detail.type === 'photo' && (!ev.detail.data || String(ev.detail.data.id) === String(id))) poll(); };
    window.addEventListener('tc:event', onEvent);
    onLeave(() => { stopped = true; clearInterval(timer); window.removeEventListener('tc:event', onEvent); });
  }
  return node;
}

async function finished(photo) {
  const j = await loadJourney().catch(() => state.journey || {});
  const hasDrafts = ((j && j.drafts) || []).length > 0;
  if (photo.state === 'draft') {
    return h('div', { class: 'tc-result-box' },
      h('i', { class: 'weui-icon-success weui-icon_msg', 'aria-hidden': 'true' }),
      h('h2', { class: 'tc-result-box__title', i18n: 'photo.draft' }),
      h('p', { class: 'tc-lead', i18n: 'photo.draft_lead' }),
      photo.proof_url ? proofImg(photo.proof_url) : null,
      btnArea(linkBtn('common.next', `#/submit/${photo.id}`, true), linkBtn('photo.continue', '#/shoot'), linkBtn('nav.drafts', '#/drafts')));
  }
  if (photo.state === 'failed' || photo.state === 'error') {
    // the server sends the reasons that matter most, each once (at most 3); checks that
    // could not run are no failures and are not listed: the student never reads a code
    const items = (photo.failed || []).map((f) => bilingual(h('li', { dataset: { code: f.code } }), f));
    const locked = photo.live_locked ? refusalText({ code: 'journey.live_locked' }, { hasDrafts })
      : photo.locked_until && photo.locked_until > nowSec() ? refusalText({ code: 'journey.locked' }, { until: photo.locked_until, hasDrafts }) : null;
    const retake = h('button', { type: 'button', class: 'weui-btn weui-btn_primary tc-retake', onclick: () => go('shoot') });
    const note = h('p', { class: 'tc-cooloff', role: 'timer', 'aria-live': 'off' });
    const out = h('div', { class: 'tc-result-box' },
      h('i', { class: 'weui-icon-warn weui-icon_msg', 'aria-hidden': 'true' }),
      h('h2', { class: 'tc-result-box__title', i18n: photo.state === 'error' ? 'photo.error' : 'photo.failed' }),
      items.length ? h('p', { class: 'tc-lead', i18n: 'photo.failed_lead' }) : null,
      items.length ? h('ul', { class: 'tc-reasons' }, items) : null,
      !locked && photo.message ? bilingual(h('p', { class: 'tc-lead tc-photo__message' }), photo.message) : null,
      locked ? noticeBox(locked) : null,
      note,
      btnArea(locked ? null : retake, hasDrafts ? linkBtn(locked ? 'shoot.go_drafts' : 'nav.drafts', '#/drafts', !!locked) : null,
        linkBtn('shoot.read_tips', '#/tips')));
    const until = photo.cooloff_until || 0;
    if (!locked && until > nowSec()) {
      retake.disabled = true;
      const tm = seedTime(until);
      countdown(until, (left) => {
        retake.textContent = t('photo.retake_wait', { time: fmtLeft(left) });
        retake.setAttribute('aria-label', t('photo.retake') + ' ' + fmtLeft(left));
        note.textContent = t('photo.cooloff_note', { time: getLang() === 'zh' ? tm.zh : tm.en });
      }, () => {
        retake.disabled = false;
        retake.dataset.i18n = 'photo.retake';
        retake.textContent = t('photo.retake');
        retake.removeAttribute('aria-label');
        note.textContent = '';
      }, retake);
    } else {
      retake.dataset.i18n = 'photo.retake';
      retake.textContent = t('photo.retake');
    }
    return out;
  }
  return h('div', { class: 'tc-result-box' },
    h('p', { class: 'tc-lead', i18n: photo.state === 'used' ? 'photo.used' : 'photo.deleted' }),
    btnArea(linkBtn('home.continue', '#/journey', true)));
}

// ---- the draft box (seed 000 §14–§15) -----------------------------------------------------------

async function draftsView() {
  const j = await loadJourney();
  const set = j.settings || {};
  const cap = set.draft_capacity || 3;
  const hours = set.draft_delete_after_h || 24;
  const drafts = j.drafts || [];
  const err = errorRegion();
  const full = drafts.length >= cap;
  const reviewing = j.submission && ['submitted', 'approved', 'final', 'paid'].includes(j.submission.state) && j.step !== 'pay';
  const list = drafts.length ? h('ul', { class: 'tc-drafts' }, drafts.map((d, i) => {
    const itemErr = errorRegion('tc-error_small');
    const early = d.deletable_at && d.deletable_at > nowSec();
    const whenId = newId('draft-when');
    // during the hold (seed 000 §14) the button is off, and says when it opens
    const del = h('button', { type: 'button', class: 'weui-btn weui-btn_default weui-btn_mini tc-delete', i18n: 'drafts.delete',
      disabled: early || null, 'aria-describedby': early ? whenId : null });
    if (early) {
      const timer = setTimeout(() => render({ quiet: true }), Math.min((d.deletable_at - nowSec()) * 1000 + 500, 2 ** 31 - 1));
      onLeave(() => clearTimeout(timer));
    }
    del.addEventListener('click', async () => {
      showError(itemErr, null);
      if (!await confirmDialog('drafts.delete_q', 'drafts.delete', { warn: true })) return;
      try {
        await withBusy('common.working', () => api.del(`/api/v1/me/photos/${d.id}`));
        toast('drafts.deleted');
        await loadJourney();
        render({ quiet: true });
      } catch (e) {
        if (e.code === 'journey.delete_too_early') {
          const err2 = (e.body && e.body.error) || {};
          const at = err2.deletable_at || (e.body && e.body.deletable_at) || d.deletable_at;
          const tm = seedTime(at);
          showError(itemErr, { code: e.code, ...both('drafts.too_early', (l) => ({ hours, time: tm[l] })) });
        } else showError(itemErr, e);
      }
    });
    const titleId = newId('draft');
    return h('li', { class: 'tc-draft', dataset: { id: String(d.id) }, 'aria-labelledby': titleId },
      proofImg(d.proof_url, 'photo.proof_alt', 'tc-draft__img'),
      h('div', { class: 'tc-draft__bd' },
        h('h3', { class: 'tc-draft__title', id: titleId, i18n: 'drafts.photo_n', i18nVars: { n: i + 1 } }),
        h('p', { class: 'tc-draft__meta', i18n: 'drafts.saved_at', i18nVars: { time: fmtTime(d.created_at) } }),
        early ? h('p', { class: 'tc-draft__meta tc-draft__when', id: whenId, i18n: 'drafts.deletable_at', i18nVars: { time: fmtTime(d.deletable_at) } }) : null,
        h('div', { class: 'tc-draft__btns' },
          reviewing ? null : h('a', { href: `#/submit/${d.id}`, class: 'weui-btn weui-btn_primary weui-btn_mini tc-use', i18n: 'drafts.use' }),
          del),
        itemErr));
  })) : h('p', { class: 'tc-empty', i18n: 'drafts.empty' });
  return page('tc-drafts-page', lead('drafts.lead', { cap, hours }),
    full ? noticeBox(both('lock.drafts_full'), 'info') : null,
    reviewing ? noticeBox(both('drafts.under_review'), 'info') : null,
    list, err,
    btnArea(full || reviewing ? null : linkBtn('drafts.shoot_more', '#/shoot', !drafts.length)));
}

// ---- confirm upload of one draft (seed 000 §15–§16) ----------------------------------------------

async function submitView(id) {
  const j = await loadJourney();
  const d = (j.drafts || []).find((x) => String(x.id) === String(id));
  if (!d) { go('drafts', true); return null; }
  const err = errorRegion();
  const payAfter = j.settings && j.settings.pay_when === 'after_confirm' && !(j.progress && j.progress.paid);
  const schoolPays = j.settings && j.settings.pay_when === 'school';
  const ok = btn('submit.confirm', { primary: true, cls: 'tc-next' });
  ok.addEventListener('click', async () => {
    showError(err, null);
    ok.disabled = true;
    try {
      const res = await withBusy('common.working', () => api.post('/api/v1/me/submission', { photo_id: d.id }));
      toast('submit.done');
      if (res.data && res.data.next === 'pay') { await loadJourney(); go('pay'); } else await afterAction();
    } catch (e) {
      ok.disabled = false;
      // the record has no 采集码 yet: bind it, then come back here (issue 19)
      if (e.code === 'journey.chsi_unbound') { go('chsi/submit/' + d.id); return; }
      showError(err, e);
    }
  });
  // the price before the student commits (the batch's fee, as the pay page will ask it)
  const fen = (j.settings && j.settings.fee_fen) || 0;
  const price = payAfter && fen > 0 ? h('p', { class: 'tc-submit-fee' }, h('span', { i18n: 'submit.fee' }),
    h('strong', { class: 'tc-submit-fee__value', text: '¥' + (fen / 100).toFixed(2) })) : null;
  return page('tc-submit', proofImg(d.proof_url, 'photo.proof_alt', 'tc-proof tc-proof_big'),
    lead('submit.lead'), price, payAfter ? lead('submit.after_pay') : schoolPays ? lead('submit.after_school') : null,
    err, h('div', { class: 'tc-btn-row' }, linkBtn('submit.back', '#/drafts'), ok));
}

// ---- payment -----------------------------------------------------------------------------------

async function payView() {
  const j = await loadJourney();
  if (j.step !== 'pay' && j.step !== 'pay_first') { go(stepRoute(j), true); return null; }
  const err = errorRegion();
  const yuan = ((j.settings && j.settings.fee_fen) || 0) / 100;
  const pay = btn('pay.button', { primary: true, cls: 'tc-pay' });
  pay.addEventListener('click', async () => {
    showError(err, null);
    pay.disabled = true;
    try {
      // money.js: inside WeChat, WeChat's authorisation first, then JSAPI
      const res = await withBusy('pay.launching', () => payRequest('/api/v1/me/pay', undefined, 'paid'));
      if (launch(res.data && res.data.launch, 'paid')) { pay.disabled = false; return; }
      await afterAction();
    } catch (e) {
      pay.disabled = false;
      if (e.code === 'journey.already_paid' || e.code === 'journey.nothing_to_pay') { await afterAction(true); return; }
      showError(err, e);
    }
  });
  return page('tc-pay-page',
    h('div', { class: 'tc-amount' }, h('span', { class: 'tc-amount__label', i18n: 'pay.amount' }),
      h('strong', { class: 'tc-amount__value', text: '¥' + yuan.toFixed(2) })),
    lead('pay.lead'), lead('pay.includes'), lead('pay.retake_free'), err, btnArea(pay));
}

// The pay page returns to /#/paid; the provider's callback may land a
// moment later, so the journey is asked a few times.
async function paidView() {
  const err = errorRegion();
  const msg = h('p', { class: 'tc-lead', role: 'status', i18n: 'pay.wait' });
  const again = btn('pay.refresh', { primary: true, attrs: { hidden: true } });
  const node = page('tc-paid', h('div', { class: 'tc-result-box' }, h('span', { class: 'weui-primary-loading', 'aria-hidden': 'true' }, h('span', { class: 'weui-primary-loading__dot' })), msg), err, btnArea(again));
  let stopped = false;
  onLeave(() => { stopped = true; });
  const check = async () => {
    for (let i = 0; i < 15 && !stopped; i++) {
      try {
        const j = await loadJourney();
        if (j.progress && j.progress.paid) { toast('pay.ok'); go(stepRoute(j), true); return; }
      } catch (e) { showError(err, e); }
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (stopped) return;
    msg.dataset.i18n = 'pay.pending';
    msg.textContent = t('pay.pending');
    again.hidden = false;
  };
  again.addEventListener('click', () => { again.hidden = true; msg.textContent = t('pay.wait'); check(); });
  setTimeout(check, 0);
  return node;
}

// ---- waiting for review, approved, rejected (seed 004 §2.4–§2.6) --------------------------------

const SUB_STATE = { submitted: 'status.submitted', paid: 'status.submitted', waiting: 'status.submitted', approved: 'status.approved', rejected: 'status.rejected', final: 'status.final' };

async function statusView() {
  const j = await loadJourney();
  const sub = j.submission;
  if (!sub) { go(stepRoute(j), true); return null; }
  const err = errorRegion();
  const stKey = j.step === 'approved' ? 'status.approved' : j.step === 'rejected' ? 'status.rejected' : j.step === 'final' ? 'status.final'
    : SUB_STATE[sub.state] || 'status.submitted';
  const card = h('div', { class: 'tc-status-card' },
    sub.proof_url ? proofImg(sub.proof_url, 'photo.proof_alt', 'tc-status-card__img') : null,
    h('div', { class: 'tc-status-card__bd' },
      h('span', { class: 'tc-status-card__label', i18n: 'status.state' }),
      h('strong', { class: `tc-state tc-state_${j.step}`, dataset: { state: sub.state }, i18n: stKey })));
  const parts = [card];
  if (j.step === 'rejected') {
    parts.push(lead('status.rejected_lead'));
    const reasons = (sub.reasons || []).map((r) => bilingual(h('li', { dataset: { code: r.code } }), r));
    if (reasons.length) parts.push(h('ul', { class: 'tc-reasons', role: 'list' }, reasons));
    if (sub.note) parts.push(h('p', { class: 'tc-lead tc-note', i18n: 'status.note', i18nVars: { note: sub.note } }));
    parts.push(err, btnArea(linkBtn('status.reshoot', '#/shoot', true),
      (j.drafts || []).length ? linkBtn('status.choose_draft', '#/drafts') : null));
  } else if (j.step === 'approved' || j.step === 'final') {
    // one state, one text: the badge and the lead come from the same step
    parts.push(lead(j.step === 'final' ? 'status.final_lead' : 'status.approved_lead'), err,
      btnArea(linkBtn('status.view_result', '#/result', true)));
  } else {
    parts.push(lead('status.waiting_lead'));
    const withdraw = sub.withdrawable ? btn('status.withdraw', { cls: 'tc-withdraw' }) : null;
    if (withdraw) {
      withdraw.addEventListener('click', async () => {
        showError(err, null);
        if (!await confirmDialog('status.withdraw_q', 'status.withdraw')) return;
        try {
          await withBusy('common.working', () => api.post('/api/v1/me/submission/withdraw'));
          toast('status.withdrawn');
          await afterAction();
        } catch (e) { showError(err, e); }
      });
    }
    parts.push(err, btnArea(withdraw));
  }
  return page('tc-status', ...parts);
}

// ---- the result (seed 001 §14, seed 003 §8, seed 004 §2.8) --------------------------------------

function isIOSorWeChat() {
  const ua = navigator.userAgent || '';
  return /iPhone|iPad|iPod|MicroMessenger/i.test(ua);
}

// The photo goes only to an address the student proved is theirs (issue 14):
// a confirmed address shows with a Send button; otherwise, or to change it,
// a code is sent to the address typed and typed back here.
export function emailBox(n) {
  const box = h('section', { class: 'tc-form tc-email' });
  const cell = (id, key, input) => h('div', { class: 'weui-cells weui-cells_form' },
    h('div', { class: 'weui-cell weui-cell_active' },
      h('div', { class: 'weui-cell__hd' }, h('label', { class: 'weui-label', for: id, i18n: key })),
      h('div', { class: 'weui-cell__bd' }, input)));
  const show = (...children) => { box.replaceChildren(h('h2', { class: 'tc-h2', i18n: 'result.email' }), ...children); };
  let confirmed = n.email_confirmed || '';
  let pending = n.email_pending || '';

  const sendView = () => {
    const err = errorRegion();
    const form = h('form', { novalidate: true },
      h('p', { class: 'tc-hint tc-email-to', i18n: 'result.email_to', i18nVars: { email: confirmed } }),
      err,
      btnArea(h('button', { type: 'submit', class: 'weui-btn weui-btn_default tc-email-send', i18n: 'result.email_send' }),
        h('button', { type: 'button', class: 'weui-btn weui-btn_default tc-email-change', i18n: 'result.email_change' })));
    form.querySelector('.tc-email-change').addEventListener('click', () => addressView());
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(err, null);
      try {
        await withBusy('common.working', () => api.post('/api/v1/me/result/email', { email: confirmed }));
        toast('result.email_sent');
      } catch (e) { showError(err, e); }
    });
    show(form);
  };

  const addressView = () => {
    const err = errorRegion();
    const id = newId('remail');
    const email = h('input', { class: 'weui-input', type: 'email', id, autocomplete: 'email', inputmode: 'email', value: pending || n.email || '', i18nAttr: { placeholder: 'notify.email_ph' } });
    const form = h('form', { novalidate: true },
      h('p', { class: 'tc-hint', i18n: 'result.email_why' }),
      cell(id, 'result.email_label', email),
      err,
      btnArea(h('button', { type: 'submit', class: 'weui-btn weui-btn_default tc-email-code', i18n: 'result.email_code_send' })));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(err, null);
      const mail = email.value.trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(mail)) { showError(err, localError('journey.bad_email', 'notify.email_bad')); email.focus(); return; }
      try {
        await withBusy('common.working', () => api.post('/api/v1/me/email/code', { email: mail }));
        pending = mail;
        codeView();
      } catch (e) { showError(err, e); }
    });
    show(form);
  };

  const codeView = () => {
    const err = errorRegion();
    const id = newId('rcode');
    const code = h('input', { class: 'weui-input', type: 'text', id, autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: '6', pattern: '[0-9]{6}' });
    const form = h('form', { novalidate: true },
      h('p', { class: 'tc-hint', i18n: 'result.email_code_sent', i18nVars: { email: pending } }),
      cell(id, 'result.email_code', code),
      err,
      btnArea(h('button', { type: 'submit', class: 'weui-btn weui-btn_default tc-email-confirm', i18n: 'result.email_confirm' }),
        h('button', { type: 'button', class: 'weui-btn weui-btn_default tc-email-change', i18n: 'result.email_change' })));
    form.querySelector('.tc-email-change').addEventListener('click', () => addressView());
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(err, null);
      const v = code.value.trim();
      if (!/^[0-9]{6}$/.test(v)) { showError(err, localError('journey.email_code_wrong', 'result.email_code_bad')); code.focus(); return; }
      try {
        const r = await withBusy('common.working', () => api.post('/api/v1/me/email/confirm', { code: v }));
        confirmed = r.data.email_confirmed;
        pending = '';
        toast('result.email_confirmed');
        sendView();
      } catch (e) { showError(err, e); }
    });
    show(form);
  };

  if (confirmed) sendView(); else if (pending) codeView(); else addressView();
  return box;
}

async function resultView() {
  const j = await loadJourney();
  let res;
  try {
    res = (await api.get('/api/v1/me/result')).data;
  } catch (e) {
    if (e.code !== 'journey.no_result' && e.status !== 404) throw e;
    return page('tc-result', h('p', { class: 'tc-empty', i18n: 'result.none' }), btnArea(linkBtn('home.continue', '#/journey', true)));
  }
  const final = !!res.final;
  // The same address serves the 样片 and, later, the 成片 (and may be cached
  // for an hour): ask for the version this answer describes.
  const v = (url) => url + (url.includes('?') ? '&' : '?') + (final ? 'v=final' : 'v=proof');
  res.standard_url = v(res.standard_url);
  res.sheet_url = v(res.sheet_url);
  const figure = (url, key, cls) => h('figure', { class: 'tc-result-fig ' + cls },
    h('div', { class: 'tc-result-fig__frame' }, proofImg(url, key, 'tc-result-fig__img'),
      final ? null : h('span', { class: 'tc-proof-mark', 'aria-hidden': 'true', i18n: 'result.proof_mark' })),
    h('figcaption', { i18n: key }));
  const form = emailBox(j.notify || {});
  return page('tc-result',
    lead(final ? 'result.lead_final' : 'result.lead_proof'),
    h('div', { class: 'tc-result-figs' }, figure(res.standard_url, 'result.standard', 'is-standard'), figure(res.sheet_url, 'result.sheet', 'is-sheet')),
    btnArea(
      h('a', { href: res.standard_url, download: final ? 'standard.jpg' : 'standard-proof.jpg', class: 'weui-btn weui-btn_primary tc-dl-standard', i18n: final ? 'result.download_final' : 'result.download_standard' }),
      h('a', { href: res.sheet_url, download: final ? 'sheet.jpg' : 'sheet-proof.jpg', class: 'weui-btn weui-btn_default tc-dl-sheet', i18n: 'result.download_sheet' }),
      h('a', { href: res.standard_url, download: 'photo.jpg', class: 'weui-btn weui-btn_default tc-save', i18n: 'result.save' })),
    isIOSorWeChat() ? h('p', { class: 'tc-hint', i18n: 'result.longpress' }) : null,
    form);
}

// ---- 我的, messages, FAQ ---------------------------------------------------------------------

const FAQ_N = 10;
function faqList() {
  return h('div', { class: 'tc-faq' }, Array.from({ length: FAQ_N }, (_, i) => h('details', { class: 'tc-faq__item' },
    h('summary', { i18n: `faq.q${i + 1}` }), h('p', { i18n: `faq.a${i + 1}` }))));
}

export function cellLink(key, href, extra, vars) {
  return h('a', { class: 'weui-cell weui-cell_active weui-cell_access', href },
    h('div', { class: 'weui-cell__bd' }, h('span', { i18n: key, i18nVars: vars })),
    h('div', { class: 'weui-cell__ft' }, extra || null));
}

// Sections other areas add to 我的, after the records: async (journey) => Node|null.
export const mineSections = [];

async function mineView() {
  await loadMe();
  const j = await loadJourneyQuietly();
  const records = (state.me && state.me.records) || [];
  const school = (j && j.school && j.school.name) || (records[0] && records[0].school) || '';
  const recs = h('div', { class: 'weui-cells' }, records.map((r) => h('div', { class: 'weui-cell tc-mine-record', dataset: { id: String(r.id) } },
    h('div', { class: 'weui-cell__bd' },
      h('p', { class: 'tc-mine-record__name', text: `${r.name_masked} · ${r.student_no || ''}` }),
      h('p', { class: 'tc-mine-record__meta', text: [r.school, r.level, r.batch].filter(Boolean).join(' · ') })),
    h('div', { class: 'weui-cell__ft' }, r.state && KNOWN_STATES.includes(r.state) ? h('span', { i18n: 'state.' + r.state }) : r.state || null))));
  // other areas' sections (money.js: orders), each failing quietly
  const extra = await Promise.all(mineSections.map((f) => f(j).catch(() => null)));
  const unread = (j && j.unread) || 0;
  const contact = contactBlock(j, 'tc-contact tc-contact_mine');
  return page('tc-mine',
    h('h2', { class: 'weui-cells__title', i18n: 'mine.records' }), recs,
    extra,
    h('div', { class: 'weui-cells' },
      cellLink('mine.messages', '#/messages', unread ? h('span', { class: 'weui-badge', text: String(unread), 'aria-label': t('tab.unread', { n: unread }) }) : null),
      j ? cellLink('mine.notify', '#/notify') : null,
      j ? cellLink('mine.drafts', '#/drafts') : null,
      cellLink('mine.tips', '#/tips'),
      cellLink('mine.add', '#/add/code')),
    h('h2', { class: 'weui-cells__title', id: 'faq', i18n: 'mine.faq' }), faqList(),
    h('h2', { class: 'weui-cells__title', i18n: 'mine.service' }),
    h('div', { class: 'tc-service' }, h('p', { i18n: 'mine.service_text', i18nVars: { school } }),
      contact),
    btnArea(btn('mine.logout', { cls: 'tc-logout', onclick: () => hooks.logout && hooks.logout() })));
}
export const hooks = { logout: null };

async function messagesView() {
  const data = (await api.get('/api/v1/me/messages')).data || { messages: [] };
  setBadge(data.unread);
  const msgs = data.messages || [];
  if (!msgs.length) return page('tc-messages', h('p', { class: 'tc-empty', i18n: 'msg.empty' }));
  return page('tc-messages', h('ul', { class: 'tc-msgs' }, msgs.map((m) => {
    const title = bilingual(h('span', { class: 'tc-msg__title' }), { zh: m.title_zh, en: m.title_en || m.title_zh });
    const body = bilingual(h('p', { class: 'tc-msg__body' }), { zh: m.body_zh, en: m.body_en || m.body_zh });
    const dot = m.read ? null : h('span', { class: 'tc-msg__dot', i18n: 'msg.unread' });
    const det = h('details', { class: 'tc-msg' + (m.read ? '' : ' is-unread'), dataset: { id: String(m.id), kind: m.kind || '' } },
      h('summary', {}, dot, title, h('time', { class: 'tc-msg__time', text: fmtTime(m.at) })), body);
    det.addEventListener('toggle', async () => {
      if (!det.open || m.read) return;
      m.read = true;
      det.classList.remove('is-unread');
      if (dot) dot.remove();
      try { await api.post(`/api/v1/me/messages/${m.id}/read`); await loadJourneyQuietly(); } catch { /* stays unread on the server */ }
    });
    return h('li', {}, det);
  })));
}

// ---- routes -----------------------------------------------------------------------------------

export function installJourney() {
  buildTabbar();
  setTabbarHook(tabbarFor);
  const r = (name, title, fn, extra = {}) => route(name, { title, need: 'student', render: fn, tab: 'home', ...extra });
  r('journey', 'nav.journey', async () => { const j = await loadJourney(); go(stepRoute(j), true); return null; });
  r('notice', 'nav.notice', noticeView);
  r('tips', 'nav.tips', tipsView);
  r('notify', 'nav.notify', notifyView);
  r('shoot', 'nav.shoot', shootView, { live: true });
  r('tutorial', 'nav.tutorial', tutorialView);
  r('camera', 'nav.camera', cameraView);
  r('album', 'nav.album', albumView);
  r('photo', 'nav.photo', photoView);
  r('drafts', 'nav.drafts', draftsView, { live: true });
  r('submit', 'nav.submit', submitView);
  r('pay', 'nav.pay', payView);
  r('paid', 'nav.paid', paidView);
  r('status', 'nav.status', statusView, { live: true });
  r('result', 'nav.result', resultView, { live: true });
  r('mine', 'nav.mine', mineView, { tab: 'mine' });
  r('messages', 'nav.messages', messagesView, { tab: 'messages', live: true });
}
