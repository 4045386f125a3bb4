/*
 * tc_errcat — the catalogue of every error a tucai function can report:
 * stable code, HTTP status, and the message in Chinese and English that a
 * student or staff member reads.  One line per message; a code may have
 * several messages (TCE_X, TCE_X_2 ...) when the same reason is worded for
 * different inputs.  A site writes  return tc_err_set(e, TCE_X, args...);
 * the macro expands to  status, code, zh, en.  The compiler checks the
 * arguments against the English text (tc_err_set's format attribute);
 * tests/unit/test_errcat.c checks that the Chinese one has the same
 * conversions.
 *
 * tests/unit/test_errcat.c checks the catalogue: every code has one status,
 * Chinese text with no English word in it, English text, and is used;
 * no tc_err_set in src/ writes its text inline.
 */
#ifndef TC_ERRCAT_H
#define TC_ERRCAT_H

/* ---- address --------------------------------------------------------------- */
#define TCE_ADDRESS_BAD_DETAIL \
    400, "address.bad_detail", \
    "请填写详细地址（街道、门牌号，不超过 100 个字）", \
    "Give the street address (at most 100 characters)"
#define TCE_ADDRESS_BAD_NAME \
    400, "address.bad_name", \
    "请填写收件人姓名（不超过 20 个字）", \
    "Give the recipient's name (at most 20 characters)"
#define TCE_ADDRESS_BAD_PHONE \
    400, "address.bad_phone", \
    "请填写 11 位中国大陆手机号码", \
    "Give an 11-digit mainland China mobile number"
#define TCE_ADDRESS_BAD_REGION \
    400, "address.bad_region", \
    "请选择所在地区（省 市 区）", \
    "Give the region as province, city and district"
#define TCE_ADDRESS_NOT_FOUND \
    404, "address.not_found", \
    "地址不存在", \
    "address not found"
#define TCE_ADDRESS_TOO_MANY \
    409, "address.too_many", \
    "最多保存 %d 个地址", \
    "At most %d addresses can be kept"

/* ---- api ------------------------------------------------------------------- */
#define TCE_API_BAD_ROUTE \
    500, "api.bad_route", \
    "路由表错误：%s %s", \
    "Bad route table row: %s %s"

/* ---- audit ----------------------------------------------------------------- */
#define TCE_AUDIT_BAD_QUERY \
    400, "audit.bad_query", \
    "查询条件过长", \
    "A search field is too long"

/* ---- auth ------------------------------------------------------------------ */
#define TCE_AUTH_BAD_CREDENTIALS \
    401, "auth.bad_credentials", \
    "用户名或密码错误", \
    "Wrong user name or password"
#define TCE_AUTH_BAD_OLD_PASSWORD \
    400, "auth.bad_old_password", \
    "原密码不正确", \
    "The current password is wrong"
#define TCE_AUTH_BAD_REQUEST \
    400, "auth.bad_request", \
    "请输入用户名和密码", \
    "Enter your user name and password"
#define TCE_AUTH_CSRF \
    403, "auth.csrf", \
    "页面已过期，请刷新后重试", \
    "The page has expired (CSRF check failed): reload and try again"
#define TCE_AUTH_FORBIDDEN \
    403, "auth.forbidden", \
    "您的账号没有此操作的权限", \
    "Your account is not allowed to do this"
#define TCE_AUTH_NOT_YOURS \
    403, "auth.not_yours", \
    "这不是您的记录", \
    "This record is not yours"
#define TCE_AUTH_OTHER_SCHOOL \
    403, "auth.other_school", \
    "无权查看其他学校的数据", \
    "You cannot see another school's data"
#define TCE_AUTH_PASSWORD_CHANGE_REQUIRED \
    403, "auth.password_change_required", \
    "首次登录请先修改密码", \
    "Change your password before continuing (first sign-in)"
#define TCE_AUTH_STAFF_REQUIRED \
    401, "auth.staff_required", \
    "请先登录管理账号", \
    "Please sign in with a staff account"
#define TCE_AUTH_STUDENT_REQUIRED \
    401, "auth.student_required", \
    "请先验证学生身份", \
    "Please verify yourself as a student first"
#define TCE_AUTH_THROTTLED \
    429, "auth.throttled", \
    "登录失败次数过多，请于 %s 后再试", \
    "Too many failed sign-ins from here: try again after %s (China time)"

/* ---- batch ----------------------------------------------------------------- */
#define TCE_BATCH_BAD_NAME \
    400, "batch.bad_name", \
    "请填写批次名称（最多200字节）", \
    "Give the batch a name (at most 200 bytes)"
#define TCE_BATCH_BAD_REQUEST \
    400, "batch.bad_request", \
    "请填写批次名称", \
    "Give the batch a name"
#define TCE_BATCH_BAD_REQUEST_2 \
    400, "batch.bad_request", \
    "请求格式不正确", \
    "The request is not a JSON object"
#define TCE_BATCH_BAD_SETTINGS \
    400, "batch.bad_settings", \
    "设置应为对象", \
    "settings must be an object"
#define TCE_BATCH_BAD_TIME \
    400, "batch.bad_time", \
    "时间无效", \
    "Not a valid time"
#define TCE_BATCH_BAD_WINDOW \
    400, "batch.bad_window", \
    "结束时间须晚于开始时间", \
    "The window must end after it starts"
#define TCE_BATCH_CANCELLED \
    409, "batch.cancelled", \
    "本次图像采集已取消，无需支付；已支付的费用将原路退回。如有疑问，请联系学校图采工作部门。", \
    "This photo collection was cancelled: there is nothing to pay, and fees already paid go back the way they came. If you have questions, contact your school's photo collection office."
#define TCE_BATCH_CODE_TAKEN \
    409, "batch.code_taken", \
    "特征码 %s 已被使用", \
    "the batch code %s is in use"
#define TCE_BATCH_NOT_FOUND \
    404, "batch.not_found", \
    "批次不存在", \
    "batch not found"
#define TCE_BATCH_NOT_FOUND_2 \
    404, "batch.not_found", \
    "采集批次不存在", \
    "batch not found"
#define TCE_BATCH_NOT_FOUND_3 \
    404, "batch.not_found", \
    "采集批次不存在，请核对特征码", \
    "No such collection batch: check the batch code"

/* ---- blob ------------------------------------------------------------------ */
#define TCE_BLOB_BAD_ID \
    400, "blob.bad_id", \
    "文件编号无效（应为 64 位小写十六进制）", \
    "Invalid file id (must be 64 lower-case hex characters)"
#define TCE_BLOB_CORRUPT \
    500, "blob.corrupt", \
    "文件已损坏，请重新上传", \
    "File is corrupt: upload it again"
#define TCE_BLOB_NOT_FOUND \
    404, "blob.not_found", \
    "文件不存在", \
    "File not found"
#define TCE_BLOB_OPEN \
    500, "blob.open", \
    "未配置文件存储目录", \
    "No blob store folder is configured"
#define TCE_BLOB_OPEN_2 \
    500, "blob.open", \
    "无法创建或写入文件存储目录 %s，请检查路径和权限", \
    "Cannot create or write the blob store folder %s: check the path and permissions"
#define TCE_BLOB_S3_CONFIG \
    500, "blob.s3_config", \
    "对象存储的存储桶名或前缀无效（存储桶名为 3 到 63 个小写字母、数字、点或连字符）", \
    "Invalid object store address: use s3://bucket[/prefix] (bucket: 3 to 63 lower-case letters, digits, dots or hyphens)"
#define TCE_BLOB_S3_CONFIG_2 \
    500, "blob.s3_config", \
    "对象存储的服务地址或区域无效", \
    "Invalid object store endpoint or region: give --s3-endpoint http(s)://host[:port] with no path, --s3-region like us-east-1"
#define TCE_BLOB_S3_CONFIG_3 \
    500, "blob.s3_config", \
    "未配置对象存储的访问密钥", \
    "The object store's keys are not configured (--s3-access-key and --s3-secret-key)"
#define TCE_BLOB_S3_DENIED \
    500, "blob.s3_denied", \
    "对象存储拒绝了请求：访问密钥、签名或区域不对，或没有权限", \
    "The object store refused the request (wrong signature, keys or region, or no permission): check --s3-access-key, --s3-secret-key, --s3-region and the bucket's permissions"
#define TCE_BLOB_S3_FAILED \
    502, "blob.s3_failed", \
    "对象存储返回了错误（%ld），请稍后重试", \
    "The object store answered with error %ld: try again later"
#define TCE_BLOB_S3_NO_BUCKET \
    500, "blob.s3_no_bucket", \
    "对象存储中没有存储桶 %s，请先创建", \
    "The object store has no bucket %s: create it first"
#define TCE_BLOB_S3_UNREACHABLE \
    503, "blob.s3_unreachable", \
    "暂时无法连接对象存储，请稍后重试", \
    "The object store cannot be reached: try again later"
#define TCE_BLOB_TOO_LARGE \
    413, "blob.too_large", \
    "文件超过 %zu 字节的读取上限", \
    "File is larger than the read limit of %zu bytes"

/* ---- check ----------------------------------------------------------------- */
#define TCE_CHECK_BAD_CONFIG \
    400, "check.bad_config", \
    "检测设置不是有效的 JSON 对象（第 %d 行）", \
    "The check settings are not a valid JSON object (line %d)"
#define TCE_CHECK_BAD_CONFIG_2 \
    400, "check.bad_config", \
    "\"glasses\" 只能是 \"forbidden\" 或 \"clear_ok\"", \
    "\"glasses\" must be \"forbidden\" or \"clear_ok\""
#define TCE_CHECK_BAD_CONFIG_3 \
    400, "check.bad_config", \
    "阈值设置有误：%s（检测项名称未知或数值不在 0–100）", \
    "Bad threshold for %s (unknown check, or not an integer 0-100)"
#define TCE_CHECK_BAD_CONFIG_4 \
    400, "check.bad_config", \
    "\"disabled\" 中有未知的检测项", \
    "\"disabled\" names an unknown check"
#define TCE_CHECK_BAD_CONFIG_5 \
    400, "check.bad_config", \
    "检测设置中有未知的项：%s", \
    "Unknown key in the check settings: %s"
#define TCE_CHECK_BAD_CONFIG_6 \
    400, "check.bad_config", \
    "\"hair_behind_shoulders\" 只能是 true 或 false", \
    "\"hair_behind_shoulders\" must be true or false"
#define TCE_CHECK_BAD_INPUT \
    500, "check.bad_input", \
    "内部错误：检测缺少输入", \
    "Internal error: the checks lack an input"
#define TCE_CHECK_BAD_INPUT_2 \
    500, "check.bad_input", \
    "内部错误：人像蒙版尺寸不符", \
    "Internal error: the person mask does not match the work copy"
#define TCE_CHECK_OOM \
    500, "check.oom", \
    "内部错误：内存不足", \
    "Internal error: out of memory"

/* ---- chsi ------------------------------------------------------------------ */
#define TCE_CHSI_ALREADY_BOUND \
    409, "chsi.already_bound", \
    "您的记录已绑定图像采集码；如绑定有误，请联系学校图采工作部门", \
    "Your record already has a CHSI code; if it is wrong, contact your school's photo collection office"
#define TCE_CHSI_BAD_CODE \
    400, "chsi.bad_code", \
    "这不是学信网图像采集码，请扫描或上传学信档案中的图像采集码", \
    "This is not a CHSI image-collection code: scan or upload the code from your CHSI record"
#define TCE_CHSI_NONE \
    409, "chsi.none", \
    "该学生尚未绑定图像采集码", \
    "This student has no CHSI code bound"
#define TCE_CHSI_TAKEN \
    409, "chsi.taken", \
    "该图像采集码已绑定在另一条学生记录上，不能重复使用；请确认扫描的是您本人的采集码，或联系学校图采工作部门", \
    "This CHSI code is already bound to another student record and cannot be used again: check that it is your own code, or contact your school's photo collection office"

/* ---- config ---------------------------------------------------------------- */
#define TCE_CONFIG_BAD_LINE \
    400, "config.bad_line", \
    "配置文件 %s 第 %d 行应为 key = value", \
    "config file %s line %d should be key = value"
#define TCE_CONFIG_BAD_SECRET \
    400, "config.bad_secret", \
    "主密钥太短（至少16个字符，建议64位十六进制）", \
    "The master secret is too short (at least 16 characters; 64 hex digits recommended)"
#define TCE_CONFIG_BAD_VALUE \
    400, "config.bad_value", \
    "配置项 %s（来自%s）应为 true 或 false", \
    "option %s (from %s) must be true or false"
#define TCE_CONFIG_BAD_VALUE_2 \
    400, "config.bad_value", \
    "配置项 %s（来自%s）应为非负整数", \
    "option %s (from %s) must be a non-negative whole number"
#define TCE_CONFIG_BAD_VALUE_3 \
    400, "config.bad_value", \
    "--log-level 应为 debug、info、warn 或 error（不是 %s）", \
    "--log-level must be debug, info, warn or error (not %s)"
#define TCE_CONFIG_PHOTO_WORKERS \
    400, "config.bad_value", \
    "--photo-workers 应为 auto 或 0 到 16 之间的整数（不是 %s）", \
    "--photo-workers must be auto or a whole number from 0 to 16 (not %s)"
#define TCE_CONFIG_BAD_VALUE_4 \
    400, "config.bad_value", \
    "端口应在 0–65535 之间", \
    "the port must be 0-65535"
#define TCE_CONFIG_BAD_VALUE_5 \
    400, "config.bad_value", \
    "--terms-version 和 --privacy-version 应在 1–1000 之间", \
    "--terms-version and --privacy-version must be 1-1000"
#define TCE_CONFIG_MISSING_VALUE \
    400, "config.missing_value", \
    "选项 %s 需要一个值", \
    "option %s needs a value"
#define TCE_CONFIG_MODELS_DIR_MISSING \
    503, "config.models_dir_missing", \
    "模型文件夹 %s 中缺少模型文件：请运行 scripts/fetch-models，在源码目录之外运行时请用 --models-dir（或环境变量 TUCAI_MODELS_DIR）指定模型文件夹", \
    "models folder %s lacks the model files: run scripts/fetch-models, and outside the source folder set --models-dir (or TUCAI_MODELS_DIR) to the models folder"
#define TCE_CONFIG_TLS \
    400, "config.tls", \
    "--tls-cert 与 --tls-key 须同时给出", \
    "--tls-cert and --tls-key go together"
#define TCE_CONFIG_UNKNOWN_OPTION \
    400, "config.unknown_option", \
    "未知配置项 %s（配置文件 %s）", \
    "unknown option %s in config file %s"
#define TCE_CONFIG_UNKNOWN_OPTION_2 \
    400, "config.unknown_option", \
    "未知选项 %s（用 --help 查看全部选项）", \
    "unknown option %s (see --help)"
#define TCE_CONFIG_VENDOR_DIR_MISSING \
    400, "config.vendor_dir_missing", \
    "npm 包文件夹 %s 中没有 weui：在源码目录之外运行时，请用 --vendor-dir（或环境变量 TUCAI_VENDOR_DIR）指定已安装 npm 包（scripts/setup）的 node_modules 文件夹", \
    "npm packages folder %s has no weui: outside the source folder, set --vendor-dir (or TUCAI_VENDOR_DIR) to the node_modules folder scripts/setup filled"
#define TCE_CONFIG_WEB_DIR_MISSING \
    400, "config.web_dir_missing", \
    "找不到网页文件夹 %s（须含 student/ 与 console/）：在源码目录之外运行时，请用 --web-dir （或环境变量 TUCAI_WEB_DIR）指定 tucai 源码中的 web 文件夹", \
    "web pages folder %s not found (it holds student/ and console/): outside the source folder, set --web-dir (or TUCAI_WEB_DIR) to tucai's web folder"

/* ---- entry ----------------------------------------------------------------- */
#define TCE_ENTRY_BAD_FEATURE_CODE \
    400, "entry.bad_feature_code", \
    "请输入6位特征码（字母或数字）", \
    "Enter the 6-character batch code (letters or digits)"
#define TCE_ENTRY_BATCH_CANCELLED \
    403, "entry.batch_cancelled", \
    "本批次图像采集已取消，请联系学校图采工作部门", \
    "This collection batch was cancelled: contact your school's photo collection office"
#define TCE_ENTRY_CODE_MISSING \
    400, "entry.code_missing", \
    "请扫描或上传学信网图像采集码", \
    "Scan or upload your CHSI image-collection code"
#define TCE_ENTRY_EXPIRED \
    401, "entry.expired", \
    "验证已过期，请重新扫描或上传采集码", \
    "Your verification has expired: scan or upload the collection code again"
#define TCE_ENTRY_LAST4_MISSING \
    400, "entry.last4_missing", \
    "请输入身份证号后4位（完整括号算2位）", \
    "Enter the last 4 characters of your ID number (a bracket pair counts as 2)"
#define TCE_ENTRY_LAST4_WRONG \
    400, "entry.last4_wrong", \
    "身份证号后4位不正确，还可尝试 %d 次", \
    "The last 4 ID characters do not match; %d attempts left"
#define TCE_ENTRY_LOCKED \
    423, "entry.locked", \
    "身份证后4位错误次数过多，请于 %s 后再试", \
    "Too many wrong attempts at the last 4 ID characters: try again after %s (China time)"
#define TCE_ENTRY_LOCKED_2 \
    423, "entry.locked", \
    "尝试次数过多，请于 %s 后再试", \
    "Too many attempts: try again after %s (China time)"
#define TCE_ENTRY_NAME_AMBIGUOUS \
    409, "entry.name_ambiguous", \
    "本批次有同名且身份证后4位相同的学生，无法仅凭姓名确认；请扫描图像采集码进入，或联系学校图采工作部门", \
    "Several students of this batch have this name and these last 4 ID characters: enter by scanning your CHSI code, or contact your school's photo collection office"
#define TCE_ENTRY_NAME_OR_LAST4 \
    400, "entry.name_or_last4", \
    "姓名或身份证号后4位不正确，请核对后重试；如学校名单中已有您的采集码，请扫描采集码进入", \
    "The name or the last 4 ID characters do not match; check them and try again. If your school's roster has your CHSI code, enter by scanning it"
#define TCE_ENTRY_OTHER_PERSON \
    403, "entry.other_person", \
    "该采集码属于其他人，不能添加到您的账号", \
    "This collection code belongs to someone else and cannot be added to your account"
#define TCE_ENTRY_OUTSIDE_WINDOW \
    403, "entry.outside_window", \
    "不在本批次采集时间内（%s 至 %s）", \
    "Outside this batch's collection window (%s to %s, China time)"
#define TCE_ENTRY_UNKNOWN_CODE \
    404, "entry.unknown_code", \
    "未找到该采集码对应的学生信息，请联系学校图采工作部门", \
    "No student matches this collection code: contact your school's photo collection office"

/* ---- export ---------------------------------------------------------------- */
#define TCE_EXPORT_BAD_CONFIRMED \
    400, "export.bad_confirmed", \
    "“只导出已确认成片”的取值应为 0 或 1", \
    "confirmed must be 0 or 1"
#define TCE_EXPORT_BAD_IDS \
    400, "export.bad_ids", \
    "身份证号应为 masked（遮盖）或 full（完整）", \
    "ids must be masked or full"
#define TCE_EXPORT_BAD_RULE \
    400, "export.bad_rule", \
    "命名规则应为 student_no（学号）或 id_number（身份证号）", \
    "name must be student_no or id_number"
#define TCE_EXPORT_IDS_SCHOOL_ONLY \
    403, "export.ids_school_only", \
    "只有本校的学校管理员可以导出完整身份证号", \
    "Only the school's own administrator may export full ID numbers"
#define TCE_EXPORT_TOO_MANY \
    413, "export.too_many", \
    "照片过多（超过 %d 张），请分包导出", \
    "Too many photos (over %d) for one archive: split it into parts"
#define TCE_EXPORT_BAD_PART \
    400, "export.bad_part", \
    "分包参数无效：每包大小应为 1–65536 MB，每包张数应为 1–65534，包序号应在 1 到包数之间", \
    "Bad split: part_mb must be 1-65536, part_photos 1-65534, and part between 1 and the number of parts"
#define TCE_EXPORT_TPL_EMPTY \
    400, "export.bad_template", \
    "请填写命名模板，例如 {学号} 或 {班级}/{学号}", \
    "Give a naming template, e.g. {student_no} or {class}/{student_no}"
#define TCE_EXPORT_TPL_TOO_LONG \
    400, "export.bad_template", \
    "命名模板过长（最多 %d 个字节）", \
    "The naming template is too long (at most %d bytes)"
#define TCE_EXPORT_TPL_BAD_CHAR \
    400, "export.bad_template", \
    "命名模板含有文件名不允许的字符（\\ : * ? \" < > | 或控制字符）", \
    "The naming template has a character file names may not carry (\\ : * ? \" < > | or a control character)"
#define TCE_EXPORT_TPL_ABSOLUTE \
    400, "export.bad_template", \
    "命名模板不能以 / 开头", \
    "The naming template may not begin with /"
#define TCE_EXPORT_TPL_BAD_PATH \
    400, "export.bad_template", \
    "命名模板的文件夹名不能为空，也不能是 . 或 ..", \
    "A folder in the naming template may not be empty, . or .."
#define TCE_EXPORT_TPL_TOO_DEEP \
    400, "export.bad_template", \
    "命名模板最多 %d 层（文件夹加文件名）", \
    "The naming template has at most %d levels (folders and the file)"
#define TCE_EXPORT_TPL_UNCLOSED \
    400, "export.bad_template", \
    "命名模板中的花括号没有配对", \
    "A brace in the naming template is not matched"
#define TCE_EXPORT_TPL_UNKNOWN \
    400, "export.bad_template", \
    "命名模板中的「%s」不是可用的字段；可用：{身份证号} {学号} {姓名} {班级} {专业} {院系} {层次}", \
    "\"%s\" is no field the naming template knows; use {id_number} {student_no} {name} {class} {programme} {department} {level}"
#define TCE_EXPORT_TPL_NO_FIELD \
    400, "export.template_field_missing", \
    "名单中没有「%s」这一列，不能用于命名", \
    "The roster has no %s column to name files by"
#define TCE_EXPORT_TPL_NO_PLACEHOLDER \
    400, "export.bad_template", \
    "命名模板至少要包含一个字段，例如 {学号}", \
    "The naming template needs at least one field, e.g. {student_no}"

/* ---- file ------------------------------------------------------------------ */
#define TCE_FILE_NOT_FOUND \
    404, "file.not_found", \
    "无法打开文件 %s", \
    "cannot open file %s"
#define TCE_FILE_TOO_LARGE \
    413, "file.too_large", \
    "文件 %s 超过 %zu 字节上限", \
    "file %s is larger than the limit of %zu bytes"

/* ---- final (the 成片 and the student's 校对, issue 19 item 6) -------------- */
#define TCE_FINAL_BAD_BYTES \
    400, "final.bad_bytes", \
    "成片文件大小应在 %d 至 %d 千字节之间，上传的是 %d 千字节", \
    "The final photo must be %d to %d KB; this file is %d KB"
#define TCE_FINAL_BAD_FILE \
    400, "final.bad_file", \
    "成片文件格式不对：请上传标准照图片文件", \
    "The final photo must be a JPEG file"
#define TCE_FINAL_BAD_SIZE \
    400, "final.bad_size", \
    "成片尺寸应为 %d×%d 像素，上传的是 %d×%d 像素", \
    "The final photo must be %dx%d pixels; this file is %dx%d"
#define TCE_FINAL_NO_FACE \
    400, "final.no_face", \
    "成片中应有且只有一张人脸", \
    "The final photo must show exactly one face"
#define TCE_FINAL_NO_FILE \
    400, "final.no_file", \
    "请选择成片文件", \
    "Choose the final photo's file"
#define TCE_FINAL_NOT_PRODUCIBLE \
    409, "final.not_producible", \
    "只有待制作或学生申请修改的照片可以制作成片", \
    "Only approved photos and photos whose student asked for a correction can be made"
#define TCE_FINAL_NOT_READY \
    409, "final.not_ready", \
    "成片尚未制作完成或已经核对过，请刷新后再试", \
    "The final photo is not waiting for your check; reload and try again"
#define TCE_FINAL_REASON_REQUIRED \
    400, "final.reason_required", \
    "请写明需要修改的地方", \
    "Say what should be corrected"
#define TCE_FINAL_REASON_TOO_LONG \
    400, "final.reason_too_long", \
    "修改说明过长（最多 %d 个字）", \
    "The correction request is too long (at most %d characters)"

/* ---- http ------------------------------------------------------------------ */
#define TCE_HTTP_BAD_BIND \
    500, "http.bad_bind", \
    "监听地址不正确：%s", \
    "Invalid listen address: %s"
#define TCE_HTTP_BAD_BIND_2 \
    500, "http.bad_bind", \
    "端口不正确：%u", \
    "Invalid port: %u"
#define TCE_HTTP_BAD_CONFIG \
    500, "http.bad_config", \
    "HTTP 服务配置错误：%s", \
    "HTTP server misconfigured: %s"
#define TCE_HTTP_BAD_CONTENT_TYPE \
    415, "http.bad_content_type", \
    "请求格式应为 JSON（application/json）", \
    "The request body must be JSON (application/json)"
#define TCE_HTTP_BAD_CONTENT_TYPE_2 \
    415, "http.bad_content_type", \
    "请求格式应为表单（multipart/form-data）", \
    "The request body must be a form (multipart/form-data or urlencoded)"
#define TCE_HTTP_BAD_FORM \
    400, "http.bad_form", \
    "表单字段名过长", \
    "A form field name is too long"
#define TCE_HTTP_BAD_FORM_2 \
    400, "http.bad_form", \
    "表单编码不正确（%% 后须为两位十六进制）", \
    "Malformed form encoding (%% must be followed by two hex digits)"
#define TCE_HTTP_BAD_FORM_3 \
    400, "http.bad_form", \
    "表单字段名不正确", \
    "Invalid form field name"
#define TCE_HTTP_BAD_JSON \
    400, "http.bad_json", \
    "JSON 嵌套过深（最多 %d 层）", \
    "JSON nested too deeply (at most %d levels)"
#define TCE_HTTP_BAD_JSON_2 \
    400, "http.bad_json", \
    "JSON 格式错误（第 %d 行第 %d 列：%s）", \
    "Malformed JSON (line %d, column %d: %s)"
#define TCE_HTTP_BAD_MOUNT \
    500, "http.bad_mount", \
    "静态文件目录不存在：%s", \
    "Static file folder not found: %s"
#define TCE_HTTP_BAD_MOUNT_2 \
    500, "http.bad_mount", \
    "找不到文件：%s", \
    "File not found: %s"
#define TCE_HTTP_BAD_MULTIPART \
    400, "http.bad_multipart", \
    "上传的表单格式不正确（%s）", \
    "The uploaded form is malformed (%s)"
#define TCE_HTTP_BAD_PATH \
    400, "http.bad_path", \
    "路径不正确", \
    "Invalid path"
#define TCE_HTTP_BAD_PATH_2 \
    400, "http.bad_path", \
    "请求路径不正确", \
    "Invalid request path"
#define TCE_HTTP_BODY_TOO_LARGE \
    413, "http.body_too_large", \
    "请求内容过大", \
    "Request body too large"
#define TCE_HTTP_BODY_TOO_LARGE_2 \
    413, "http.body_too_large", \
    "请求内容过大（最多 %zu 字节）", \
    "Request body too large (at most %zu bytes)"
#define TCE_HTTP_BUSY \
    503, "http.busy", \
    "服务器正忙（同时上传的内容过多），请稍后重试", \
    "The server is busy (too many uploads at once): try again in a moment"
#define TCE_HTTP_HEADER_TOO_LARGE \
    431, "http.header_too_large", \
    "请求头过大", \
    "Request headers too large"
#define TCE_HTTP_LISTEN \
    500, "http.listen", \
    "无法在 %s:%u 上启动 HTTP 服务（端口被占用或证书无效）", \
    "Cannot start the HTTP server on %s:%u (port in use or invalid certificate)"
#define TCE_HTTP_NO_TLS \
    500, "http.no_tls", \
    "此 libmicrohttpd 不支持 HTTPS，请安装带 GnuTLS 的版本或去掉证书配置", \
    "This libmicrohttpd has no HTTPS support; install one built with GnuTLS or remove the certificate settings"
#define TCE_HTTP_NOT_FOUND \
    404, "http.not_found", \
    "文件不存在", \
    "File not found"
#define TCE_HTTP_NOT_FOUND_2 \
    404, "http.not_found", \
    "找不到该页面或接口", \
    "Not found"
#define TCE_HTTP_NOT_FOUND_3 \
    404, "http.not_found", \
    "资源不存在", \
    "Not found"
#define TCE_HTTP_TLS_CONFIG \
    500, "http.tls_config", \
    "HTTPS 需要同时提供证书和私钥", \
    "HTTPS needs both a certificate and a private key"
#define TCE_HTTP_TOO_MANY_PARTS \
    413, "http.too_many_parts", \
    "表单字段过多（最多 %d 个）", \
    "Too many form fields (at most %d)"
#define TCE_HTTP_TOO_MANY_REQUESTS \
    429, "http.too_many_requests", \
    "来自您网络地址的同时请求过多，请稍后重试", \
    "Too many requests at once from your address: try again in a moment"
#define TCE_HTTP_TOO_MANY_UPLOADS \
    429, "http.too_many_uploads", \
    "您的网络地址同时上传的内容过多，请等其他上传完成后重试", \
    "Too many uploads from your address at once: wait for the others to finish and try again"

/* ---- ident ----------------------------------------------------------------- */
#define TCE_IDENT_CORRUPT \
    500, "ident.corrupt", \
    "加密数据已损坏", \
    "Encrypted data is corrupt"
#define TCE_IDENT_WRONG_KEY \
    500, "ident.wrong_key", \
    "无法解密个人信息：密钥不匹配", \
    "Cannot decrypt personal data: the key does not match"

/* ---- idnum ----------------------------------------------------------------- */
#define TCE_IDNUM_BAD_CHARS \
    400, "idnum.bad_chars", \
    "证件号码含有无效字符", \
    "The ID number contains invalid characters"
#define TCE_IDNUM_BAD_CHECKSUM \
    400, "idnum.bad_checksum", \
    "身份证号校验位不正确，请核对", \
    "The ID number's check digit is wrong; please check it"
#define TCE_IDNUM_BAD_DATE \
    400, "idnum.bad_date", \
    "身份证号中的出生日期无效", \
    "The birth date inside the ID number is invalid"
#define TCE_IDNUM_BAD_LENGTH \
    400, "idnum.bad_length", \
    "证件号码长度不正确（身份证号应为18位）", \
    "The ID number has the wrong length (a resident ID has 18 characters)"
#define TCE_IDNUM_EMPTY \
    400, "idnum.empty", \
    "证件号码为空", \
    "The ID number is empty"

/* ---- internal -------------------------------------------------------------- */
#define TCE_INTERNAL \
    500, "internal", \
    "服务器内部错误", \
    "Internal server error"
#define TCE_INTERNAL_2 \
    500, "internal", \
    "服务器内部错误，请稍后再试（%s）", \
    "Internal server error, please try again later (%s)"

/* ---- journey --------------------------------------------------------------- */
#define TCE_JOURNEY_ALBUM_NOT_ALLOWED \
    403, "journey.album_not_allowed", \
    "学校未开放相册上传，请使用现场拍摄", \
    "Your school does not accept album uploads: shoot live"
#define TCE_JOURNEY_ALREADY_PAID \
    409, "journey.already_paid", \
    "已支付，无需重复支付", \
    "Already paid: nothing more to pay"
#define TCE_JOURNEY_ALREADY_SUBMITTED \
    409, "journey.already_submitted", \
    "已有照片提交，请勿重复提交", \
    "A photo is already submitted"
#define TCE_JOURNEY_BAD_EMAIL \
    400, "journey.bad_email", \
    "邮箱地址格式不正确", \
    "That e-mail address is not valid"
#define TCE_JOURNEY_BAD_SETTINGS \
    400, "journey.bad_settings", \
    "设置无效", \
    "bad setting"
#define TCE_JOURNEY_BAD_SETTINGS_2 \
    400, "journey.bad_settings", \
    "设置项 %s 无效：%s%.0s", \
    "setting %s is invalid: %.0s%s"
#define TCE_JOURNEY_BAD_SETTINGS_3 \
    400, "journey.bad_settings", \
    "设置不是有效的 JSON 对象", \
    "settings are not a JSON object"
#define TCE_JOURNEY_BAD_SETTINGS_4 \
    400, "journey.bad_settings", \
    "未知的设置项 %s", \
    "unknown setting %s"
#define TCE_JOURNEY_BAD_SOURCE \
    400, "journey.bad_source", \
    "拍摄方式应为 camera 或 album", \
    "source must be camera or album"
#define TCE_JOURNEY_BATCH_CANCELLED \
    410, "journey.batch_cancelled", \
    "本次照片采集已取消，不再接收照片。已支付的费用将原路退回，如有疑问请联系学校图采工作部门。", \
    "This photo collection has been cancelled and takes no more photos. Fees paid are refunded the way they were paid; ask your school's photo office if you have questions."
#define TCE_JOURNEY_BUSY \
    409, "journey.busy", \
    "上一张照片正在制作中，请稍候", \
    "Your last photo is still being made"
#define TCE_JOURNEY_CHSI_UNBOUND \
    409, "journey.chsi_unbound", \
    "确认上传前，请先绑定您的学信网图像采集码", \
    "Bind your CHSI image-collection code before you confirm the upload"
#define TCE_JOURNEY_CONSENT_BAD \
    400, "journey.consent_bad", \
    "请勾选同意《服务协议》和《隐私政策》（含人脸照片的单独同意）", \
    "Tick both boxes: the service agreement and the privacy policy (with the separate consent for face photos)"
#define TCE_JOURNEY_CONSENT_REQUIRED \
    409, "journey.consent_required", \
    "请先阅读并同意《服务协议》和《隐私政策》，同意后才能拍摄或上传照片", \
    "Read and accept the service agreement and the privacy policy first; photos can be taken or uploaded only after that"
#define TCE_JOURNEY_CONSENT_STALE \
    409, "journey.consent_stale", \
    "《服务协议》或《隐私政策》已更新为第 %d 版和第 %d 版，请刷新页面后阅读新版本再同意", \
    "The service agreement or the privacy policy has changed (now versions %d and %d): reload the page and read the new versions before accepting"
#define TCE_JOURNEY_COOLOFF \
    429, "journey.cooloff", \
    "冷静期中，请于 %s 后重拍，先看看上面的提示", \
    "Cooling off: you can shoot again after %s (China time); read the advice above first"
#define TCE_JOURNEY_DELETE_TOO_EARLY \
    409, "journey.delete_too_early", \
    "草稿箱照片存入 24 小时后才可删除，可于 %s 后删除", \
    "A draft can be deleted only 24 hours after it was saved: after %s (China time)"
#define TCE_JOURNEY_DRAFTS_FULL \
    409, "journey.drafts_full", \
    "草稿箱已满，请前往草稿箱删除或使用草稿箱照片。", \
    "The draft box is full: delete a photo there or use one of them."
#define TCE_JOURNEY_DRAFTS_FULL_2 \
    409, "journey.drafts_full", \
    "草稿箱已满，请前往草稿箱删除或使用草稿箱照片。", \
    "The draft box is full: go to the draft box to delete a photo or use one."
#define TCE_JOURNEY_EMAIL_CODE_EXPIRED \
    410, "journey.email_code_expired", \
    "验证码已过期，请重新获取", \
    "The code has expired: ask for a new one"
#define TCE_JOURNEY_EMAIL_CODE_TRIES \
    429, "journey.email_code_tries", \
    "验证码错误次数过多，请重新获取", \
    "Too many wrong codes: ask for a new one"
#define TCE_JOURNEY_EMAIL_CODE_WRONG \
    400, "journey.email_code_wrong", \
    "请输入邮件中的 6 位数字验证码", \
    "Enter the 6-digit code from the e-mail"
#define TCE_JOURNEY_EMAIL_CODE_WRONG_2 \
    400, "journey.email_code_wrong", \
    "验证码不正确", \
    "That code is not right"
#define TCE_JOURNEY_EMAIL_LIMIT \
    429, "journey.email_limit", \
    "今天发送的邮件已达上限（%d 封），请明天再试", \
    "You have reached today's limit of %d e-mails: try again tomorrow"
#define TCE_JOURNEY_EMAIL_UNCONFIRMED \
    409, "journey.email_unconfirmed", \
    "照片只能发送到您验证过的邮箱：请先获取验证码并完成邮箱验证", \
    "Your photo can only be sent to an e-mail address you have confirmed: ask for a code and confirm the address first"
#define TCE_JOURNEY_LIVE_LOCKED_2 \
    423, "journey.live_locked", \
    "系统检测到您的照片多次未通过活体检测，请联系学校图采工作部门进行账号解锁。%s%.0s", \
    "The system has detected that your photos have failed the liveness check several times. Please contact your school's photo collection office to unlock the account.%.0s%s"
#define TCE_JOURNEY_LIVE_NOT_ALLOWED \
    403, "journey.live_not_allowed", \
    "学校未开放现场拍摄，请从相册上传", \
    "Your school does not accept live shots: upload from the album"
#define TCE_JOURNEY_LOCKED_2 \
    423, "journey.locked", \
    "请仔细阅读拍摄要求，可于 %s%.0s 后重新拍摄。%s%.0s", \
    "Please read the shooting requirements carefully; you can shoot again after %.0s%s (China time).%.0s%s"
#define TCE_JOURNEY_NO_EMAIL_CODE \
    409, "journey.no_email_code", \
    "请先获取邮箱验证码", \
    "Ask for a confirmation code first"
#define TCE_JOURNEY_NO_PHONE \
    409, "journey.no_phone", \
    "学校名单中没有您的手机号，无法接收短信通知", \
    "Your school's roster has no phone number for you: SMS notifications cannot be sent"
#define TCE_JOURNEY_NO_PHOTO \
    400, "journey.no_photo", \
    "请选择或拍摄一张照片", \
    "Choose or take a photo"
#define TCE_JOURNEY_NO_PHOTO_2 \
    400, "journey.no_photo", \
    "请选择一张草稿箱中的照片", \
    "Choose a photo from the draft box"
#define TCE_JOURNEY_NO_RESULT \
    404, "journey.no_result", \
    "照片审核通过后才能下载", \
    "You can download your photo once it is approved"
#define TCE_JOURNEY_NO_SUBMISSION \
    404, "journey.no_submission", \
    "没有已提交的照片", \
    "No photo has been submitted"
#define TCE_JOURNEY_NO_SUBMISSION_2 \
    404, "journey.no_submission", \
    "该学生没有已提交的照片", \
    "This student has no submitted photo"
#define TCE_JOURNEY_NOT_A_DRAFT \
    409, "journey.not_a_draft", \
    "只能删除草稿箱中的照片", \
    "Only photos in the draft box can be deleted"
#define TCE_JOURNEY_NOT_A_DRAFT_2 \
    409, "journey.not_a_draft", \
    "只能提交草稿箱中的照片", \
    "Only a photo from the draft box can be submitted"
#define TCE_JOURNEY_NOT_LIVE_CAPTURE \
    403, "journey.not_live_capture", \
    "这张照片不是刚刚在本页面现场拍摄的（照片中带有%s%.0s），学校未开放相册上传，请使用现场拍摄。", \
    "This photo was not just taken on this page (it carries %.0s%s), and your school does not accept album photos: shoot it live."
#define TCE_JOURNEY_NOT_PAID \
    402, "journey.not_paid", \
    "请先支付采集费用", \
    "Pay the collection fee first"
#define TCE_JOURNEY_NOT_WITHDRAWABLE \
    409, "journey.not_withdrawable", \
    "照片已审核通过（待处理）或未在待审核状态，不能撤回", \
    "Only a photo waiting for review can be withdrawn (an approved one cannot)"
#define TCE_JOURNEY_NOTHING_TO_PAY \
    409, "journey.nothing_to_pay", \
    "当前没有需要支付的费用", \
    "There is nothing to pay now"
#define TCE_JOURNEY_NOTICE_UNREAD \
    409, "journey.notice_unread", \
    "请先阅读学校图采通知", \
    "Read the school's notice first"
#define TCE_JOURNEY_OUTSIDE_WINDOW \
    403, "journey.outside_window", \
    "不在采集时间内（%s 至 %s）", \
    "Outside the collection window (%s to %s)"
#define TCE_JOURNEY_STORAGE_FULL \
    413, "journey.storage_full", \
    "您保存的照片已达到个人存储上限（%lld MB）。未通过和已删除的照片会在保留期满后自动清理，之后即可继续上传；草稿箱中的照片仍可使用。", \
    "Your stored photos have reached your storage limit (%lld MB). Failed and deleted photos are removed automatically after the retention period, and you can upload again then; the photos in your draft box can still be used."
#define TCE_JOURNEY_TIPS_UNREAD \
    409, "journey.tips_unread", \
    "请先阅读拍照注意事项", \
    "Read the shooting tips first"
#define TCE_JOURNEY_TIPS_UNREAD_2 \
    409, "journey.tips_unread", \
    "请先阅读拍照注意事项并勾选“我已阅读”", \
    "Read the shooting tips and tick \"I have read\" first"
#define TCE_JOURNEY_TUTORIAL_UNWATCHED \
    409, "journey.tutorial_unwatched", \
    "请完整观看拍摄教程后再拍摄", \
    "Watch the whole shooting tutorial first"
#define TCE_JOURNEY_UNDER_REVIEW \
    409, "journey.under_review", \
    "照片已提交，如需重拍请先撤回审核", \
    "Your photo is submitted: withdraw it first to shoot again"
#define TCE_JOURNEY_WECHAT_UNAUTHORISED \
    409, "journey.wechat_unauthorised", \
    "请在微信中打开本页并授权后，再选择微信通知", \
    "Open this page in WeChat and authorise it first, then choose WeChat notifications"
#define TCE_JOURNEY_WECHAT_UNAVAILABLE \
    409, "journey.wechat_unavailable", \
    "暂未开通微信通知，请选择短信或邮箱", \
    "WeChat notifications are not available: choose SMS or e-mail"

/* ---- notice ---------------------------------------------------------------- */
#define TCE_NOTICE_BAD_REQUEST \
    400, "notice.bad_request", \
    "请填写须知内容", \
    "Give the notice's text (html)"
#define TCE_NOTICE_BAD_TEXT \
    400, "notice.bad_text", \
    "须知内容不是有效的 UTF-8 文本", \
    "The notice is not valid UTF-8 text"
#define TCE_NOTICE_TOO_LARGE \
    400, "notice.too_large", \
    "须知内容过长（最多 %d KB）", \
    "The notice is too long (at most %d KB)"

/* ---- notify ---------------------------------------------------------------- */
#define TCE_NOTIFY_BAD_ADDRESS \
    400, "notify.bad_address", \
    "电子邮件地址无效", \
    "invalid e-mail address"
#define TCE_NOTIFY_BAD_CHANNEL \
    500, "notify.bad_channel", \
    "未知渠道", \
    "unknown channel"
#define TCE_NOTIFY_BAD_MESSAGE \
    400, "notify.bad_message", \
    "邮件标题或正文不是有效的 UTF-8 文本", \
    "the e-mail subject or text is not valid UTF-8 text"
#define TCE_NOTIFY_BAD_MESSAGE_2 \
    400, "notify.bad_message", \
    "附件文件名无效", \
    "invalid attachment file name"
#define TCE_NOTIFY_BAD_PAYLOAD \
    500, "notify.bad_payload", \
    "微信消息内容无效", \
    "invalid WeChat message payload"
#define TCE_NOTIFY_NO_BLOBS \
    500, "notify.no_blobs", \
    "无法读取附件（未提供文件存储）", \
    "cannot read the attachment (no blob store)"
#define TCE_NOTIFY_NOT_CONFIGURED \
    503, "notify.not_configured", \
    "未配置邮件服务器（--smtp-url、--smtp-from）", \
    "no mail server configured (--smtp-url, --smtp-from)"
#define TCE_NOTIFY_NOT_CONFIGURED_2 \
    503, "notify.not_configured", \
    "未配置 webhook 地址", \
    "no webhook URL configured"
#define TCE_NOTIFY_NOT_CONFIGURED_3 \
    503, "notify.not_configured", \
    "未配置短信网关（--sms-webhook-url）", \
    "no SMS gateway configured (--sms-webhook-url)"
#define TCE_NOTIFY_NOT_CONFIGURED_4 \
    503, "notify.not_configured", \
    "未配置微信订阅消息（--wx-subscribe-template、--wxpay-appid、--wxpay-oa-secret）", \
    "no WeChat subscribe messages configured (--wx-subscribe-template, --wxpay-appid, --wxpay-oa-secret)"
#define TCE_NOTIFY_SEND_FAILED \
    502, "notify.send_failed", \
    "邮件发送失败：%s（%ld）", \
    "sending the e-mail failed: %s (%ld)"
#define TCE_NOTIFY_SEND_FAILED_2 \
    502, "notify.send_failed", \
    "webhook 发送失败：%s", \
    "the webhook failed: %s"
#define TCE_NOTIFY_SEND_FAILED_3 \
    502, "notify.send_failed", \
    "webhook 返回 HTTP %ld", \
    "the webhook answered HTTP %ld"
#define TCE_NOTIFY_SEND_FAILED_4 \
    502, "notify.send_failed", \
    "微信接口无法访问：%s", \
    "the WeChat API could not be reached: %s"
#define TCE_NOTIFY_SEND_FAILED_5 \
    502, "notify.send_failed", \
    "微信接口返回 HTTP %ld", \
    "the WeChat API answered HTTP %ld"
#define TCE_NOTIFY_SEND_FAILED_6 \
    502, "notify.send_failed", \
    "微信接口的回答无法解析", \
    "the WeChat API's answer is not JSON"
#define TCE_NOTIFY_WECHAT_REFUSED \
    502, "notify.wechat_refused", \
    "微信拒绝发送（errcode %lld）", \
    "WeChat refused the message (errcode %lld)"
#define TCE_NOTIFY_WECHAT_TOKEN \
    502, "notify.wechat_token", \
    "微信 access_token 获取失败（errcode %lld）", \
    "could not get the WeChat access_token (errcode %lld)"
#define TCE_NOTIFY_WECHAT_TOKEN_2 \
    502, "notify.wechat_token", \
    "微信 access_token 已失效（errcode %lld）", \
    "the WeChat access_token is no longer valid (errcode %lld)"

/* ---- order ----------------------------------------------------------------- */
#define TCE_ORDER_BAD_CARRIER \
    400, "order.bad_carrier", \
    "请填写快递公司", \
    "Give the carrier"
#define TCE_ORDER_BAD_FILTER \
    400, "order.bad_filter", \
    "发货状态 %s 无效（to_ship、shipped、done）", \
    "ship state %s is not one of to_ship, shipped, done"
#define TCE_ORDER_BAD_FILTER_2 \
    400, "order.bad_filter", \
    "订单状态 %s 无效（all、to_pay、to_ship、shipped、done）", \
    "order filter %s is not one of all, to_pay, to_ship, shipped, done"
#define TCE_ORDER_BAD_TRACKING \
    400, "order.bad_tracking", \
    "快递单号应为 6 到 40 位字母或数字", \
    "The tracking number is 6 to 40 letters or digits"
#define TCE_ORDER_NOT_CLOSABLE \
    409, "order.not_closable", \
    "只有待支付的订单可以关闭", \
    "Only an unpaid order can be closed"
#define TCE_ORDER_NOT_CLOSABLE_2 \
    409, "order.not_closable", \
    "该订单已支付，不能关闭", \
    "This order is paid: it cannot be closed"
#define TCE_ORDER_NOT_PAYABLE \
    409, "order.not_payable", \
    "该订单已关闭或已退款", \
    "This order is closed or refunded"
#define TCE_ORDER_NOT_PAYABLE_2 \
    409, "order.not_payable", \
    "该订单不是待支付状态", \
    "This order is not waiting for payment"
#define TCE_ORDER_NOT_SHIPPED \
    409, "order.not_shipped", \
    "该订单尚未发货", \
    "This order has not been shipped"
#define TCE_ORDER_NOT_TO_SHIP \
    409, "order.not_to_ship", \
    "该订单不在待发货状态", \
    "This order is not waiting to be shipped"

/* ---- outbox ---------------------------------------------------------------- */
#define TCE_OUTBOX_BAD_MESSAGE \
    400, "outbox.bad_message", \
    "待发消息无效：%s", \
    "invalid outgoing message: %s"
#define TCE_OUTBOX_NOT_FOUND \
    404, "outbox.not_found", \
    "待发消息不存在", \
    "outgoing message not found"

/* ---- password -------------------------------------------------------------- */
#define TCE_PASSWORD_SAME \
    400, "password.same", \
    "新密码不能与原密码相同", \
    "The new password must differ from the old one"
#define TCE_PASSWORD_WEAK \
    400, "password.weak", \
    "密码至少10位，且包含字母、数字或符号中的两类", \
    "The password needs at least 10 characters, mixing two of: letters, digits, symbols"

/* ---- pay ------------------------------------------------------------------- */
#define TCE_PAY_AMOUNT_MISMATCH \
    400, "pay.amount_mismatch", \
    "支付金额与订单不符", \
    "The amount paid does not match the order"
#define TCE_PAY_BAD_CALLBACK \
    400, "pay.bad_callback", \
    "支付通知为空或过大", \
    "the payment message is empty or too large"
#define TCE_PAY_BAD_CALLBACK_2 \
    400, "pay.bad_callback", \
    "支付通知不是有效的 JSON 对象", \
    "the payment message is not a JSON object"
#define TCE_PAY_BAD_CALLBACK_3 \
    400, "pay.bad_callback", \
    "沙箱支付通知缺少字段", \
    "the sandbox payment message lacks fields"
#define TCE_PAY_BAD_CALLBACK_4 \
    400, "pay.bad_callback", \
    "订单属于其他商户号", \
    "the order belongs to another merchant"
#define TCE_PAY_BAD_CALLBACK_5 \
    400, "pay.bad_callback", \
    "支付通知的加密数据无效", \
    "the payment message's encrypted data is invalid"
#define TCE_PAY_BAD_CALLBACK_6 \
    400, "pay.bad_callback", \
    "支付通知缺少字段", \
    "the payment message lacks fields"
#define TCE_PAY_BAD_CALLBACK_7 \
    400, "pay.bad_callback", \
    "未知的支付通知类型", \
    "unknown payment message type"
#define TCE_PAY_BAD_REQUEST \
    400, "pay.bad_request", \
    "订单号、金额或说明无效", \
    "invalid order number, amount or description"
#define TCE_PAY_BAD_REQUEST_2 \
    400, "pay.bad_request", \
    "订单号无效", \
    "invalid order number"
#define TCE_PAY_BAD_REQUEST_3 \
    400, "pay.bad_request", \
    "退款单号、金额或原因无效", \
    "invalid refund number, amount or reason"
#define TCE_PAY_BAD_REQUEST_4 \
    400, "pay.bad_request", \
    "没有订单列表", \
    "no order list"
#define TCE_PAY_BAD_REQUEST_5 \
    400, "pay.bad_request", \
    "不支持的支付方式 %s", \
    "unsupported payment method %s"
#define TCE_PAY_BAD_REQUEST_6 \
    400, "pay.bad_request", \
    "微信内支付需要先完成微信授权", \
    "JSAPI payment needs the payer's openid"
#define TCE_PAY_BAD_REQUEST_7 \
    400, "pay.bad_request", \
    "H5 支付需要付款人的 IP 地址", \
    "H5 payment needs the payer's IP address"
#define TCE_PAY_BAD_REQUEST_8 \
    400, "pay.bad_request", \
    "支付方式或微信授权信息无效", \
    "invalid payment method or openid"
#define TCE_PAY_BAD_SIGNATURE \
    401, "pay.bad_signature", \
    "支付通知的签名无效", \
    "the payment message's signature is invalid"
#define TCE_PAY_BAD_SIGNATURE_2 \
    401, "pay.bad_signature", \
    "微信支付的消息没有签名", \
    "the WeChat Pay message is not signed"
#define TCE_PAY_BAD_SIGNATURE_3 \
    401, "pay.bad_signature", \
    "微信支付的消息由未知证书签名（请更新平台证书）", \
    "the WeChat Pay message is signed by an unknown certificate (update the platform certificate)"
#define TCE_PAY_BAD_SIGNATURE_4 \
    401, "pay.bad_signature", \
    "微信支付的时间戳无效", \
    "the WeChat Pay timestamp is invalid"
#define TCE_PAY_BAD_SIGNATURE_5 \
    401, "pay.bad_signature", \
    "微信支付的签名无效", \
    "the WeChat Pay signature is invalid"
#define TCE_PAY_CONFIG \
    500, "pay.config", \
    "支付方式 %s 不存在（可选 sandbox 或 wechat）", \
    "payment provider %s does not exist (sandbox or wechat)"
#define TCE_PAY_CONFIG_2 \
    500, "pay.config", \
    "商户私钥文件 %s 不是 RSA 私钥 PEM", \
    "merchant key file %s is not an RSA private key PEM"
#define TCE_PAY_CONFIG_3 \
    500, "pay.config", \
    "微信支付平台证书 %s 不是 RSA 证书或公钥 PEM", \
    "WeChat Pay platform certificate %s is not an RSA certificate or public key PEM"
#define TCE_PAY_CONFIG_4 \
    500, "pay.config", \
    "微信支付需要设置 --%s", \
    "WeChat Pay needs --%s"
#define TCE_PAY_CONFIG_5 \
    500, "pay.config", \
    "APIv3 密钥应为 32 个字符", \
    "the APIv3 key must be 32 characters"
#define TCE_PAY_CONFIG_6 \
    500, "pay.config", \
    "微信支付的商户号、AppID 或证书序列号含有非法字符", \
    "the WeChat Pay merchant id, AppID or serial contains invalid characters"
#define TCE_PAY_DECRYPT \
    401, "pay.decrypt", \
    "支付通知无法用 APIv3 密钥解密（密钥是否正确？）", \
    "the payment message does not decrypt with the APIv3 key (is the key right?)"
#define TCE_PAY_NOT_FOUND \
    404, "pay.not_found", \
    "微信支付没有此订单", \
    "WeChat Pay has no such order"
#define TCE_PAY_OPENID_MISMATCH \
    403, "pay.openid_mismatch", \
    "支付用的微信身份与授权时的不一致，请回到支付页面重试", \
    "This openid is not the one WeChat confirmed for this session"
#define TCE_PAY_ORDER_NOT_FOUND \
    404, "pay.order_not_found", \
    "订单不存在", \
    "order not found"
#define TCE_PAY_ORDER_PAID \
    409, "pay.order_paid", \
    "该订单已支付，不能关闭", \
    "This order is paid: it cannot be closed"
#define TCE_PAY_ORDER_PAID_2 \
    409, "pay.order_paid", \
    "该订单已在微信支付付款", \
    "This order was paid at WeChat Pay"
#define TCE_PAY_PROVIDER \
    502, "pay.provider", \
    "沙箱中此订单已关闭", \
    "the sandbox has closed this order"
#define TCE_PAY_PROVIDER_2 \
    502, "pay.provider", \
    "沙箱中没有此订单的付款，或退款超过付款", \
    "the sandbox has no payment for this order, or the refund exceeds it"
#define TCE_PAY_PROVIDER_3 \
    502, "pay.provider", \
    "微信支付的应答过大", \
    "the WeChat Pay answer is too large"
#define TCE_PAY_PROVIDER_4 \
    502, "pay.provider", \
    "微信支付拒绝了请求（%ld %s）", \
    "WeChat Pay refused the request (%ld %s)"
#define TCE_PAY_PROVIDER_5 \
    502, "pay.provider", \
    "微信支付的应答无法读取", \
    "the WeChat Pay answer is unreadable"
#define TCE_PAY_PROVIDER_6 \
    502, "pay.provider", \
    "微信支付返回的订单信息不完整", \
    "WeChat Pay sent an incomplete order"
#define TCE_PAY_SANDBOX_OFF \
    404, "pay.sandbox_off", \
    "演示支付未启用", \
    "the sandbox (demo) payment is not enabled"
#define TCE_PAY_STALE \
    401, "pay.stale", \
    "微信支付的消息已过期（时间相差超过 5 分钟，请检查服务器时钟）", \
    "the WeChat Pay message is stale (more than 5 minutes off: check the server clock)"
#define TCE_PAY_UNREACHABLE \
    503, "pay.unreachable", \
    "无法连接微信支付（%s），请稍后再试", \
    "cannot reach WeChat Pay (%s); try again later"
#define TCE_PAY_WECHAT_OFF \
    404, "pay.wechat_off", \
    "未启用微信支付", \
    "WeChat Pay is not enabled"

/* ---- pdf ------------------------------------------------------------------- */
#define TCE_PDF_BAD_IMAGE \
    400, "pdf.bad_image", \
    "图片无法放入 PDF（%s）", \
    "The picture cannot go into the PDF (%s)"
#define TCE_PDF_BAD_TEXT \
    400, "pdf.bad_text", \
    "文字不是有效的 UTF-8", \
    "The text is not valid UTF-8"
#define TCE_PDF_ENCODE \
    500, "pdf.encode", \
    "生成 PDF 失败（%s）", \
    "Could not make the PDF (%s)"
#define TCE_PDF_FONT_MISSING \
    500, "pdf.font_missing", \
    "缺少字体文件 %s（Debian：apt-get install fonts-noto-cjk）", \
    "Font file %s is missing (Debian: apt-get install fonts-noto-cjk)"
#define TCE_PDF_FONT_MISSING_2 \
    500, "pdf.font_missing", \
    "无法读取字体文件 %s", \
    "Cannot read the font file %s"

/* ---- person ---------------------------------------------------------------- */
#define TCE_PERSON_NOT_FOUND \
    404, "person.not_found", \
    "用户不存在", \
    "person not found"

/* ---- phone ----------------------------------------------------------------- */
#define TCE_PHONE_INVALID \
    400, "phone.invalid", \
    "请输入11位中国大陆手机号", \
    "Enter an 11-digit mainland China mobile number"

/* ---- photo ----------------------------------------------------------------- */
#define TCE_PHOTO_BAD_BACKGROUND \
    400, "photo.bad_background", \
    "规格“%s”%.0s没有默认背景色", \
    "Spec %.0s%s has no default background"
#define TCE_PHOTO_BAD_BACKGROUND_2 \
    400, "photo.bad_background", \
    "背景色 %s 格式不对，应为 #RRGGBB", \
    "Background %s is malformed; expected #RRGGBB"
#define TCE_PHOTO_BAD_BACKGROUND_3 \
    400, "photo.bad_background", \
    "规格“%s”%.0s不允许背景色“%s”（可选：%s%.0s）", \
    "Spec %.0s%s does not allow background %s (allowed: %.0s%s)"
#define TCE_PHOTO_BAD_GEOMETRY \
    422, "photo.bad_geometry", \
    "未找到眼睛或下巴的位置", \
    "Eye or chin position missing"
#define TCE_PHOTO_BAD_GEOMETRY_2 \
    422, "photo.bad_geometry", \
    "眼睛位置不合理", \
    "The eye positions are implausible"
#define TCE_PHOTO_BAD_GEOMETRY_3 \
    422, "photo.bad_geometry", \
    "头部倾斜过大，请端正头部重新拍摄", \
    "The head is tilted too far; please hold it straight and take the photo again"
#define TCE_PHOTO_BAD_GEOMETRY_4 \
    422, "photo.bad_geometry", \
    "下巴位置不合理", \
    "The chin position is implausible"
#define TCE_PHOTO_BAD_GEOMETRY_5 \
    422, "photo.bad_geometry", \
    "头顶位置不合理", \
    "The top of the head is implausible"
#define TCE_PHOTO_BAD_GEOMETRY_6 \
    422, "photo.bad_geometry", \
    "脸部宽度不合理", \
    "The face width is implausible"
#define TCE_PHOTO_BAD_GEOMETRY_7 \
    422, "photo.bad_geometry", \
    "人脸位置不合理", \
    "The face geometry is degenerate"
#define TCE_PHOTO_BAD_GEOMETRY_8 \
    422, "photo.bad_geometry", \
    "人脸位置不合理", \
    "The face geometry is out of range"
#define TCE_PHOTO_BAD_GEOMETRY_9 \
    422, "photo.bad_geometry", \
    "--geom 格式：LX,LY,RX,RY,CX,CY[,FLX,FLY,FRX,FRY]", \
    "--geom format: LX,LY,RX,RY,CX,CY[,FLX,FLY,FRX,FRY]"
#define TCE_PHOTO_BAD_LAYOUT \
    400, "photo.bad_layout", \
    "一张相纸上放 1 到 4 种尺寸", \
    "Put 1 to 4 sizes on one sheet"
#define TCE_PHOTO_BAD_LAYOUT_2 \
    400, "photo.bad_layout", \
    "排版参数有误", \
    "Invalid layout request"
#define TCE_PHOTO_BAD_LAYOUT_3 \
    400, "photo.bad_layout", \
    "照片数量过多", \
    "Too many photos"
#define TCE_PHOTO_BAD_LAYOUT_4 \
    400, "photo.bad_layout", \
    "未知版式 %s（可选：1 = 1寸x8+2寸x4，2 = 2寸x8，best）", \
    "Unknown layout %s (1 = 1-inch x8 + 2-inch x4, 2 = 2-inch x8, best)"
#define TCE_PHOTO_BAD_MASK \
    422, "photo.bad_mask", \
    "缺少人像分割结果", \
    "The person mask is missing"
#define TCE_PHOTO_BAD_MASK_2 \
    422, "photo.bad_mask", \
    "人像分割结果与人脸位置不一致", \
    "The person mask does not cover the face"
#define TCE_PHOTO_BAD_REGION \
    400, "photo.bad_region", \
    "所选区域不在照片内", \
    "The region is outside the photo"
#define TCE_PHOTO_BAD_SHEET \
    400, "photo.bad_sheet", \
    "不支持的相纸 %s（可选：6inch、5inch、a4）", \
    "Unsupported sheet %s (choose 6inch, 5inch or a4)"
#define TCE_PHOTO_BAD_SHEET_2 \
    400, "photo.bad_sheet", \
    "排版只接受 JPEG 照片", \
    "Sheets take JPEG photos only"
#define TCE_PHOTO_BAD_SHEET_3 \
    400, "photo.bad_sheet", \
    "不支持的排版输出格式 %s（jpeg、png、pdf）", \
    "Unsupported sheet format %s (jpeg, png, pdf)"
#define TCE_PHOTO_BAD_SPEC \
    400, "photo.bad_spec", \
    "请填写宽、高（像素或毫米）和分辨率", \
    "Give width and height (px or mm) and the dpi"
#define TCE_PHOTO_BAD_SPEC_2 \
    400, "photo.bad_spec", \
    "尺寸过长", \
    "The size is too long"
#define TCE_PHOTO_BAD_SPEC_3 \
    400, "photo.bad_spec", \
    "自定义尺寸 \"%s\" 无法识别（例：35x49mm@300 或 390x567px@300）", \
    "Custom size \"%s\" not understood (e.g. 35x49mm@300 or 390x567px@300)"
#define TCE_PHOTO_BAD_SPEC_4 \
    400, "photo.bad_spec", \
    "规格“%s”%.0s有误：%s%.0s", \
    "Spec %.0s%s is invalid: %.0s%s"
#define TCE_PHOTO_BAD_SPEC_5 \
    400, "photo.bad_spec", \
    "第 %zu 个规格缺少名称", \
    "Spec number %zu has no name"
#define TCE_PHOTO_BAD_SPEC_6 \
    400, "photo.bad_spec", \
    "未知的照片规格：%s", \
    "Unknown photo spec: %s"
#define TCE_PHOTO_CORRUPT \
    400, "photo.corrupt", \
    "照片文件已损坏，无法读取，请重新拍摄或上传原图", \
    "The photo file is damaged and cannot be read; please take it again or upload the original"
#define TCE_PHOTO_CORRUPT_2 \
    400, "photo.corrupt", \
    "照片已损坏，无法排版", \
    "A photo is damaged and cannot go on the sheet"
#define TCE_PHOTO_CORRUPT_3 \
    400, "photo.corrupt", \
    "样片只能由 JPEG 照片生成", \
    "A proof can only be made from a JPEG photo"
#define TCE_PHOTO_CROP_OUTSIDE \
    422, "photo.crop_outside", \
    "照片拍得太紧，按照片规格裁剪会超出照片下边或两侧：请后退一点，拍到胸部、两肩完整入镜后重拍", \
    "The picture is cut too tight: a crop to the photo's spec would reach past its bottom or sides. Step back and include your shoulders and chest, then take the photo again"
#define TCE_PHOTO_EMPTY \
    400, "photo.empty", \
    "没有收到照片文件，请重新选择照片", \
    "No photo was received; please choose the photo again"
#define TCE_PHOTO_ENCODE \
    500, "photo.encode", \
    "照片生成失败，请稍后重试（%s）", \
    "Could not produce the photo, please retry later (%s)"
#define TCE_PHOTO_ENCODE_2 \
    500, "photo.encode", \
    "无法写出 PNG：%s", \
    "Cannot write the PNG: %s"
#define TCE_PHOTO_FACES \
    422, "photo.faces", \
    "照片中有 %d 个人，证件照只能有本人，请单独拍摄", \
    "There are %d people in the photo; an ID photo shows only you, please take it alone"
#define TCE_PHOTO_GEOMETRY_OUT_OF_RANGE \
    422, "photo.geometry_out_of_range", \
    "头部比例不符合照片规格的要求（眼睛位置无法满足），请正对镜头、调整与镜头的距离后重新拍摄", \
    "The head's proportions cannot meet the photo's spec (the eye line cannot be met); face the camera, adjust your distance to it and take the photo again"
#define TCE_PHOTO_GEOMETRY_OUT_OF_RANGE_2 \
    422, "photo.geometry_out_of_range", \
    "头部比例不符合照片规格的要求（头顶位置无法满足），请正对镜头、头顶上方留出空间后重新拍摄", \
    "The head's proportions cannot meet the photo's spec (the top of the head cannot be met); face the camera, leave space above the head and take the photo again"
#define TCE_PHOTO_GEOMETRY_OUT_OF_RANGE_3 \
    422, "photo.geometry_out_of_range", \
    "头部比例不符合照片规格的要求（头顶、眼睛、下巴与脸宽无法同时满足），请正对镜头、头顶上方留出空间后重新拍摄", \
    "The head's proportions cannot meet the photo's spec (top of head, eye line, chin and face width cannot all fit); face the camera, leave space above the head and take the photo again"
#define TCE_PHOTO_HEAD_CUT_OFF \
    422, "photo.head_cut_off", \
    "头顶超出了照片上边缘，请在头顶上方留出空间重新拍摄", \
    "The top of the head is cut off; please leave space above the head and take the photo again"
#define TCE_PHOTO_NO_FACE \
    422, "photo.no_face", \
    "未检测到人脸，请正对镜头重新拍摄", \
    "No face found: face the camera and shoot again"
#define TCE_PHOTO_NO_FACE_ENGINE \
    503, "photo.no_face_engine", \
    "人脸检测引擎尚未就绪，暂时无法自动制作证件照", \
    "The face engine is not available yet, so the photo cannot be made automatically"
#define TCE_PHOTO_OUT_OF_SPEC \
    422, "photo.out_of_spec", \
    "制作出的标准照中头部的位置或大小不符合照片规格的要求，请正对镜头、头部居中、头顶上方留出空间，背景中不要有其他人，然后重新拍摄", \
    "In the standard photo made from this picture the head's position or size does not meet the photo's spec; face the camera, centre your head, leave space above it, have no one else in the picture and take it again"
#define TCE_PHOTO_OUT_OF_SPEC_2 \
    422, "photo.out_of_spec", \
    "制作出的标准照不符合照片规格的文件要求（像素尺寸、分辨率、背景颜色或文件大小），请重新上传；如果多次出现，请联系学校", \
    "The standard photo made from this picture does not meet the file requirements of the photo's spec (pixel size, resolution, background colour or file size); upload again, and tell your school if it happens again"
#define TCE_PHOTO_NO_IMAGE \
    404, "photo.no_image", \
    "还没有这张图片", \
    "This image is not there (yet)"
#define TCE_PHOTO_CLAIM_LOST \
    409, "photo.claim_lost", \
    "照片已由其他处理进程接手", \
    "another worker took this photo over (its claim had gone stale)"
#define TCE_PHOTO_NOT_FOUND \
    404, "photo.not_found", \
    "照片不存在", \
    "photo not found"
#define TCE_PHOTO_SHEET_OVERFLOW \
    422, "photo.sheet_overflow", \
    "照片比相纸还大", \
    "The photo is larger than the sheet"
#define TCE_PHOTO_SHEET_OVERFLOW_2 \
    422, "photo.sheet_overflow", \
    "这些照片放不进一张 %s 相纸", \
    "These photos do not fit on one %s sheet"
#define TCE_PHOTO_SIZE_OUT_OF_RANGE \
    422, "photo.size_out_of_range", \
    "照片即使以最低画质保存也超过 %d KB 的上限，请换一张背景更简洁的照片", \
    "Even at the lowest quality the photo exceeds the %d KB limit; please use a simpler photo"
#define TCE_PHOTO_SIZE_OUT_OF_RANGE_2 \
    422, "photo.size_out_of_range", \
    "照片文件只有 %.1f KB，低于 %d KB 的下限（照片过于平淡或模糊），请重新拍摄清晰的照片", \
    "The photo file is only %.1f KB, under the %d KB minimum (too flat or blurry); please take a sharper photo"
#define TCE_PHOTO_SPEC_FILE \
    400, "photo.spec_file", \
    "规格文件不是有效的 JSON（第 %d 行：%s）", \
    "The spec file is not valid JSON (line %d: %s)"
#define TCE_PHOTO_SPEC_FILE_2 \
    400, "photo.spec_file", \
    "规格文件应包含 \"specs\" 数组", \
    "The spec file must hold a \"specs\" array"
#define TCE_PHOTO_SPEC_FILE_3 \
    400, "photo.spec_file", \
    "无法读取规格文件 %s", \
    "Cannot read the spec file %s"
#define TCE_PHOTO_TOO_LARGE \
    413, "photo.too_large", \
    "照片文件太大（%.1f MB），请上传不超过 %.0f MB 的照片", \
    "The photo file is too large (%.1f MB); please upload one of at most %.0f MB"
#define TCE_PHOTO_TOO_LARGE_2 \
    413, "photo.too_large", \
    "照片尺寸太大（%d x %d 像素），请上传不超过 %.0f 百万像素的照片", \
    "The photo is too large (%d x %d pixels); please upload one of at most %.0f megapixels"
#define TCE_PHOTO_TOO_LARGE_3 \
    413, "photo.too_large", \
    "照片尺寸太大，无法生成样片", \
    "The photo is too large for a proof"
#define TCE_PHOTO_TOO_LARGE_4 \
    413, "photo.too_large", \
    "照片文件太大（超过 %.0f MB）", \
    "The photo file is too large (over %.0f MB)"
#define TCE_PHOTO_TOO_SMALL \
    400, "photo.too_small", \
    "照片太小（%d x %d 像素），请上传原图", \
    "The photo is too small (%d x %d pixels); please upload the original"
#define TCE_PHOTO_TRUNCATED \
    400, "photo.truncated", \
    "照片文件不完整（上传中断或文件损坏），请重新上传原图", \
    "The photo file is incomplete (interrupted upload or damaged file); please upload the original again"
#define TCE_PHOTO_UNSUPPORTED_FORMAT \
    415, "photo.unsupported_format", \
    "无法识别的照片格式，请上传 JPG、PNG、WebP 或 HEIC 格式的照片", \
    "Unrecognised photo format; please upload a JPG, PNG, WebP or HEIC photo"

/* ---- qr -------------------------------------------------------------------- */
#define TCE_QR_BAD_ARG \
    400, "qr.bad_arg", \
    "二维码参数无效（缩放 1-32，边距 0-16）", \
    "Invalid QR code parameters (scale 1-32, margin 0-16)"
#define TCE_QR_BAD_ARG_2 \
    400, "qr.bad_arg", \
    "二维码内容为空或不是有效的 UTF-8 文本", \
    "QR code text is empty or not valid UTF-8"
#define TCE_QR_BAD_CONTENT \
    422, "qr.bad_content", \
    "二维码内容无效，请确认上传的是学信网图像采集码", \
    "The QR code does not hold valid text: make sure it is your CHSI image-collection code"
#define TCE_QR_MULTIPLE \
    422, "qr.multiple", \
    "图片中有多个二维码，请只截取学信网图像采集码", \
    "The picture contains several QR codes: crop it to your CHSI image-collection code only"
#define TCE_QR_NOT_AN_IMAGE \
    415, "qr.not_an_image", \
    "无法识别该文件，请上传 JPG、PNG、WebP 或 HEIC 格式的图片", \
    "This file is not a supported image: upload a JPG, PNG, WebP or HEIC picture"
#define TCE_QR_NOT_FOUND \
    422, "qr.not_found", \
    "未识别到二维码，请上传清晰完整的学信网图像采集码截图", \
    "No QR code found: upload a clear, complete screenshot of your CHSI image-collection code"
#define TCE_QR_TOO_LARGE \
    413, "qr.too_large", \
    "图片尺寸过大（%d×%d），请上传采集码截图或不超过 %d00 万像素的图片", \
    "Image is too large (%dx%d): upload a screenshot of the code or a picture of at most %d megapixels"
#define TCE_QR_TOO_LARGE_2 \
    413, "qr.too_large", \
    "图片文件过大（最大 20 MB），请上传截图", \
    "Image file is too large (at most 20 MB): upload a screenshot"
#define TCE_QR_TOO_LONG \
    400, "qr.too_long", \
    "二维码内容过长（最多 %d 字节）", \
    "QR code text is too long (at most %d bytes)"

/* ---- query ----------------------------------------------------------------- */
#define TCE_QUERY_BAD_NUMBER \
    400, "query.bad_number", \
    "参数 %s 不正确", \
    "Bad value for %s"

/* ---- reason ---------------------------------------------------------------- */
#define TCE_REASON_BAD_ACTIVE \
    400, "reason.bad_active", \
    "active 应为 true 或 false", \
    "active must be true or false"
#define TCE_REASON_BAD_CODE \
    400, "reason.bad_code", \
    "原因代码应为 2–31 位小写字母、数字或下划线，以字母开头", \
    "The code must be 2-31 lower-case letters, digits or _, starting with a letter"
#define TCE_REASON_BAD_SORT \
    400, "reason.bad_sort", \
    "排序应为 0 至 1000000 的整数", \
    "sort must be a whole number from 0 to 1000000"
#define TCE_REASON_BAD_TEXT \
    400, "reason.bad_text", \
    "请填写原因的中文和英文说明（一行，最多 200 字节）", \
    "Give the reason's Chinese and English wording (one line, at most 200 bytes)"
#define TCE_REASON_CODE_TAKEN \
    409, "reason.code_taken", \
    "原因代码 %s 已存在", \
    "The reason code %s exists already"
#define TCE_REASON_NOT_FOUND \
    404, "reason.not_found", \
    "驳回原因不存在", \
    "rejection reason not found"

/* ---- recon ----------------------------------------------------------------- */
#define TCE_RECON_BAD_DAY \
    400, "recon.bad_day", \
    "日期应为 YYYY-MM-DD", \
    "The day must be YYYY-MM-DD"
#define TCE_RECON_BAD_DAY_2 \
    400, "recon.bad_day", \
    "日期 %s 不存在", \
    "There is no day %s"

/* ---- records --------------------------------------------------------------- */
#define TCE_RECORDS_NOT_FOUND \
    404, "records.not_found", \
    "没有找到这条学历，请回到“我的”重新选择", \
    "This education record was not found: go back to Mine and choose again"

/* ---- reprint --------------------------------------------------------------- */
#define TCE_REPRINT_BAD_LAYOUT \
    400, "reprint.bad_layout", \
    "请选择版式", \
    "Choose a layout"
#define TCE_REPRINT_BAD_QUANTITY \
    400, "reprint.bad_quantity", \
    "数量应为 1 到 %d 套", \
    "The quantity must be 1 to %d sets"
#define TCE_REPRINT_NO_ADDRESS \
    400, "reprint.no_address", \
    "请选择收货地址", \
    "Choose a delivery address"
#define TCE_REPRINT_NO_PHOTO \
    409, "reprint.no_photo", \
    "该学籍的照片尚未审核通过，不能加洗", \
    "This record's photo is not approved yet: no reprints"

/* ---- review ---------------------------------------------------------------- */
#define TCE_REVIEW_BAD_IDS \
    400, "review.bad_ids", \
    "请选择 1 至 %d 张照片", \
    "Choose 1 to %d photos"
#define TCE_REVIEW_BAD_IDS_2 \
    400, "review.bad_ids", \
    "批次编号不正确", \
    "Bad batch id"
#define TCE_REVIEW_BAD_REASON \
    400, "review.bad_reason", \
    "驳回原因应为原因代码的列表", \
    "reasons must be a list of reason codes"
#define TCE_REVIEW_BAD_REASON_2 \
    400, "review.bad_reason", \
    "不认识的驳回原因", \
    "Unknown rejection reason"
#define TCE_REVIEW_BAD_REASON_3 \
    400, "review.bad_reason", \
    "不认识的驳回原因：%s", \
    "Unknown rejection reason: %s"
#define TCE_REVIEW_CLAIMED \
    409, "review.claimed", \
    "该照片已由其他审核员领取", \
    "Another reviewer has claimed this photo"
#define TCE_REVIEW_NOT_APPROVED \
    409, "review.not_approved", \
    "只有审核通过的照片可以制作成片", \
    "Only approved photos can be made final"
#define TCE_REVIEW_NOT_SUBMITTED \
    409, "review.not_submitted", \
    "该照片不在待审核状态", \
    "This photo is not waiting for review"
#define TCE_REVIEW_NOTE_TOO_LONG \
    400, "review.note_too_long", \
    "补充说明过长（最多 2000 字节）", \
    "The note is too long (at most 2000 bytes)"
#define TCE_REVIEW_REASON_REQUIRED \
    400, "review.reason_required", \
    "驳回时请选择原因或填写说明", \
    "Give a reason (or a note) when rejecting"

/* ---- roster ---------------------------------------------------------------- */
#define TCE_ROSTER_BAD_CODE \
    422, "roster.bad_code", \
    "第 %d 行：图像采集码格式不正确（%d 至 %d 个字符，不能含空格）", \
    "Row %d: the CHSI code is malformed (%d to %d characters, no spaces)"
#define TCE_ROSTER_BAD_ENCODING \
    400, "roster.bad_encoding", \
    "文件编码无法识别，请另存为 UTF-8 编码的 CSV 或 xlsx", \
    "Cannot read the file's text encoding: save it as UTF-8 CSV or as xlsx"
#define TCE_ROSTER_BAD_FILTER \
    400, "roster.bad_filter", \
    "筛选条件应为 all、unfinished 或 locked", \
    "filter must be all, unfinished or locked"
#define TCE_ROSTER_BAD_MODE \
    400, "roster.bad_mode", \
    "导入方式应为 all（全部或不导入）或 good（只导入无误的行）", \
    "mode must be all (all or nothing) or good (import the rows without errors)"
#define TCE_ROSTER_BAD_QUERY \
    400, "roster.bad_query", \
    "搜索内容过长", \
    "The search text is too long"
#define TCE_ROSTER_BAD_XLSX \
    400, "roster.bad_xlsx", \
    "xlsx 文件已损坏，请重新保存后再导入", \
    "The xlsx file is damaged: save it again and import it"
#define TCE_ROSTER_BAD_XLSX_2 \
    400, "roster.bad_xlsx", \
    "xlsx 文件已损坏或不是 Excel 工作簿（%s），请在 Excel 中重新保存后再导入", \
    "The xlsx file is damaged or not an Excel workbook (%s): save it again in Excel and import it"
#define TCE_ROSTER_CHSI_TAKEN \
    409, "roster.chsi_taken", \
    "第 %zu 行：该图像采集码已属于另一条学生记录（本批次、其他批次或其他学校），一个采集码只能对应一名学生", \
    "row %zu: this CHSI code already belongs to another student record (in this batch, another batch or another school); a code belongs to one student only"
#define TCE_ROSTER_CONFLICT \
    409, "roster.conflict", \
    "第 %zu 行：证件号码已属于本批次的另一名学生", \
    "row %zu: the ID number already belongs to another student of this batch"
#define TCE_ROSTER_CSV_QUOTE \
    400, "roster.csv_quote", \
    "第 %d 行的引号没有闭合，请检查该行（单元格中的引号应写成两个）", \
    "The quote opened on line %d is never closed: check that line (a quote inside a cell must be doubled)"
#define TCE_ROSTER_DUPLICATE_COLUMN \
    400, "roster.duplicate_column", \
    "第 %d 列和第 %d 列都是“%s”，请删除其中一列", \
    "Columns %d and %d are both \"%s\": delete one of them"
#define TCE_ROSTER_EMPTY \
    400, "roster.empty", \
    "名单文件是空的", \
    "The roster file is empty"
#define TCE_ROSTER_INVALID \
    422, "roster.invalid", \
    "花名册有 %zu 行存在错误，未导入任何数据；请改正后重新导入", \
    "%zu rows of the roster have errors; nothing was imported. Correct them and import again"
#define TCE_ROSTER_MISSING_COLUMN \
    400, "roster.missing_column", \
    "%s", \
    "%s"
#define TCE_ROSTER_NO_FILE \
    400, "roster.no_file", \
    "请选择花名册文件（CSV 或 XLSX）", \
    "Choose a roster file (CSV or XLSX)"
#define TCE_ROSTER_NO_HEADER \
    400, "roster.no_header", \
    "第 %d 行不是名单表头：第一行应为列名，如 姓名、学号、身份证号、图像采集码", \
    "Row %d is not a roster header: the first row must name the columns, e.g. name, student_no, id_number, chsi_code"
#define TCE_ROSTER_NO_HEADER_2 \
    400, "roster.no_header", \
    "找不到名单表头：应有一行列名，如 姓名、学号、身份证号、图像采集码", \
    "No roster header found: one row must name the columns, e.g. name, student_no, id_number, chsi_code"
#define TCE_ROSTER_NO_ROWS \
    400, "roster.no_rows", \
    "名单只有表头，没有学生数据", \
    "The roster has a header but no student rows"
#define TCE_ROSTER_NOT_A_SPREADSHEET \
    400, "roster.not_a_spreadsheet", \
    "文件不是表格：请上传 xlsx 或 CSV 格式的学生名单", \
    "This file is not a spreadsheet: upload the student roster as xlsx or CSV"
#define TCE_ROSTER_TOO_LARGE \
    413, "roster.too_large", \
    "名单文件超过 10 MB，请拆分后分批导入", \
    "The roster file is larger than 10 MB: split it and import the parts"
#define TCE_ROSTER_TOO_MANY_CELLS \
    413, "roster.too_many_cells", \
    "第 %d 行的单元格超过 %d 个，请删除多余的列后重新导入", \
    "Row %d has more than %d cells: delete the extra columns and import again"
#define TCE_ROSTER_TOO_MANY_CELLS_2 \
    413, "roster.too_many_cells", \
    "名单文件的单元格超过 %d 个，请只保留名单所需的列", \
    "The roster file has more than %d cells: keep only the roster's columns"
#define TCE_ROSTER_TOO_MANY_COLUMNS \
    400, "roster.too_many_columns", \
    "表头超过 %d 列，请删除多余的列", \
    "The header row has more than %d columns: delete the extra columns"
#define TCE_ROSTER_TOO_MANY_ROWS \
    413, "roster.too_many_rows", \
    "名单文件超过 %d 行（含空行），请删除多余的空行或拆分成多个文件", \
    "The roster file has more than %d rows, empty ones included: delete the empty rows or split the file"
#define TCE_ROSTER_TOO_MANY_ROWS_2 \
    413, "roster.too_many_rows", \
    "名单超过 %d 行，请拆分成多个文件分批导入", \
    "The roster has more than %d rows: split it into several files"
#define TCE_ROSTER_TOO_MUCH_TEXT \
    413, "roster.too_much_text", \
    "名单文件中的文字过多（超过 %d MB），请只保留名单所需的列和行", \
    "The roster file holds too much text (over %d MB): keep only the roster's columns and rows"
#define TCE_ROSTER_TOO_MUCH_TEXT_2 \
    413, "roster.too_much_text", \
    "xlsx 文件中的文字条目超过 %d 条，请只保留名单所需的列", \
    "The xlsx file holds more than %d pieces of text: keep only the roster's columns"
#define TCE_ROSTER_XLS_UNSUPPORTED \
    400, "roster.xls_unsupported", \
    "不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入", \
    "Old Excel (.xls) files are not supported: save the file as .xlsx or CSV in Excel and import that"
#define TCE_ROSTER_ZIP_BOMB \
    413, "roster.zip_bomb", \
    "xlsx 文件解压后过大（单个部分超过 %d MB 或合计超过 %d MB），已拒绝", \
    "The xlsx file is too large when unpacked (a part over %d MB or all over %d MB) and was refused"

/* ---- school ---------------------------------------------------------------- */
#define TCE_SCHOOL_BAD_CONTACT \
    400, "school.bad_contact", \
    "%s%.0s无效：应为不超过 %zu 字节的文字，不含 < >", \
    "the %.0s%s is not valid: text of at most %zu bytes without < or >"
#define TCE_SCHOOL_BAD_NAME \
    400, "school.bad_name", \
    "请填写学校名称", \
    "Give the school's name"
#define TCE_SCHOOL_BAD_SETTINGS \
    400, "school.bad_settings", \
    "设置应为对象", \
    "settings must be an object"
#define TCE_SCHOOL_NAME_TAKEN \
    409, "school.name_taken", \
    "学校名称已存在：%s", \
    "a school named %s exists already"
#define TCE_SCHOOL_NOT_FOUND \
    404, "school.not_found", \
    "学校不存在", \
    "school not found"

/* ---- session --------------------------------------------------------------- */
#define TCE_SESSION_NONE \
    401, "session.none", \
    "请先登录或验证身份", \
    "Please sign in or verify first"

/* ---- settings -------------------------------------------------------------- */
#define TCE_SETTINGS_NO_MODE \
    400, "settings.no_mode", \
    "现场拍摄和相册上传至少允许一种", \
    "Allow at least one of live shooting and album upload"

/* ---- spec ------------------------------------------------------------------ */
#define TCE_SPEC_BAD_NAME \
    400, "spec.bad_name", \
    "规格名称应为 2–31 位小写字母、数字或下划线，以字母开头", \
    "The spec name must be 2-31 lower-case letters, digits or _, starting with a letter"
#define TCE_SPEC_BAD_ZH \
    400, "spec.bad_zh", \
    "中文名称过长（最多 63 字节）", \
    "The Chinese name is too long (63 bytes)"
#define TCE_SPEC_BUILTIN \
    403, "spec.builtin", \
    "内置规格 %s 不能修改或删除；可以新增一个自定义规格", \
    "The built-in spec %s cannot be changed or deleted; add a custom spec instead"
#define TCE_SPEC_IN_USE \
    409, "spec.in_use", \
    "规格 %s 正在使用：%s%.0s。请先改用其他规格再删除。", \
    "Spec %s is in use: %.0s%s. Choose another spec there first, then delete it."
#define TCE_SPEC_NAME_FIXED \
    400, "spec.name_fixed", \
    "规格名称不能修改（批次设置按名称选用规格）；请新增一个规格", \
    "A spec's name cannot change (batch settings choose specs by name); add a new spec instead"
#define TCE_SPEC_NAME_TAKEN \
    409, "spec.name_taken", \
    "规格名称 %s 已存在", \
    "A spec named %s exists already"
#define TCE_SPEC_NOT_FOUND \
    404, "spec.not_found", \
    "规格不存在", \
    "spec not found"
#define TCE_SPEC_NOT_FOUND_2 \
    400, "spec.unknown", \
    "请选择照片规格", \
    "Choose a photo spec"
#define TCE_SPEC_NOT_FOUND_3 \
    400, "spec.unknown", \
    "没有名为 %s 的照片规格：请选择内置规格或平台添加的自定义规格", \
    "There is no photo spec named %s: choose a built-in spec or a custom one the platform added"

/* ---- staff ----------------------------------------------------------------- */
#define TCE_STAFF_BAD_REQUEST \
    400, "staff.bad_request", \
    "请填写用户名（3–64位）、角色和初始密码", \
    "Give a user name (3-64 characters), a role and an initial password"
#define TCE_STAFF_BAD_REQUEST_2 \
    400, "staff.bad_request", \
    "角色应为 platform_admin、reviewer 或 school_admin，学校为编号，禁用为 true/false", \
    "role must be platform_admin, reviewer or school_admin; school_id a number; disabled true/false"
#define TCE_STAFF_BAD_REQUEST_3 \
    400, "staff.bad_request", \
    "请填写新的初始密码", \
    "Give the new initial password"
#define TCE_STAFF_BAD_ROLE \
    400, "staff.bad_role", \
    "角色或学校不正确（学校管理员必须属于一所学校）", \
    "bad role or school (a school admin belongs to exactly one school)"
#define TCE_STAFF_NOT_FOUND \
    404, "staff.not_found", \
    "账号不存在", \
    "account not found"
#define TCE_STAFF_SELF \
    409, "staff.self", \
    "不能禁用自己的账号或取消自己的平台管理员角色", \
    "You cannot disable your own account or give up your own platform admin role"
#define TCE_STAFF_USERNAME_TAKEN \
    409, "staff.username_taken", \
    "用户名 %s 已存在", \
    "the user name %s is taken"

/* ---- store ----------------------------------------------------------------- */
#define TCE_STORE_BAD_VERSION \
    400, "store.bad_version", \
    "没有该数据库版本 %d", \
    "no schema version %d"
#define TCE_STORE_BUSY \
    503, "store.busy", \
    "服务器繁忙，请稍后再试", \
    "The server is busy: please try again shortly"
#define TCE_STORE_UNAVAILABLE \
    503, "store.unavailable", \
    "数据库暂时无法连接，请稍后再试", \
    "The database cannot be reached just now: please try again shortly"
#define TCE_STORE_MIGRATION_KEYS \
    500, "store.migration_keys", \
    "数据库升级到版本 %d 时发现无效引用（表 %s）", \
    "migration to schema %d left a dangling reference in table %s"
#define TCE_STORE_OPEN \
    500, "store.open", \
    "无法打开数据库 %s：%s", \
    "cannot open database %s: %s"
#define TCE_STORE_TOO_NEW \
    500, "store.too_new", \
    "数据库版本 %d 比程序（%d）新，请升级程序", \
    "the database schema (%d) is newer than this program knows (%d): upgrade tucai"

/* ---- student --------------------------------------------------------------- */
#define TCE_STUDENT_BAD_FIELD \
    400, "student.bad_field", \
    "内容过长或含有换行", \
    "too long or holds a line break"
#define TCE_STUDENT_CHSI_TAKEN \
    409, "student.chsi_taken", \
    "该图像采集码已属于另一条学生记录（本批次、其他批次或其他学校）", \
    "that collection code already belongs to another student record (this batch, another batch or another school)"
#define TCE_STUDENT_ERASED \
    409, "student.erased", \
    "该学生的个人信息已删除", \
    "This student's personal data has already been erased"
#define TCE_STUDENT_ERASE_CONFIRM \
    400, "student.erase_confirm", \
    "请输入该学生的学号以确认删除", \
    "Type the student's student number to confirm the erasure"
#define TCE_STUDENT_ID_TAKEN \
    409, "student.id_taken", \
    "本批次已有该身份证号的学生", \
    "a student of this batch has that ID number"
#define TCE_STUDENT_NO_TAKEN \
    409, "student.no_taken", \
    "本批次已有该学号的学生", \
    "a student of this batch has that student number"
#define TCE_STUDENT_NOT_FOUND \
    404, "student.not_found", \
    "学生不存在", \
    "student not found"
#define TCE_STUDENT_NOT_FOUND_2 \
    404, "student.not_found", \
    "学生记录不存在", \
    "student record not found"
#define TCE_STUDENT_REASON_REQUIRED \
    400, "student.reason_required", \
    "请填写重置原因（学生会看到）", \
    "Give the reason for the reset (the student is told)"

/* ---- studio ---------------------------------------------------------------- */
#define TCE_STUDIO_UNAVAILABLE \
    503, "studio.unavailable", \
    "照片制作服务暂不可用，请稍后再试", \
    "Photo making is not available right now: try again later"

/* ---- vision ---------------------------------------------------------------- */
#define TCE_VISION_BAD_IMAGE \
    400, "vision.bad_image", \
    "图像尺寸或格式无效", \
    "invalid image size or layout"
#define TCE_VISION_BAD_IMAGE_2 \
    400, "vision.bad_image", \
    "没有可用的面部区域", \
    "no usable face region"
#define TCE_VISION_IMAGE_READ \
    400, "vision.image_read", \
    "无法读取图像 %s：%s", \
    "cannot read image %s: %s"
#define TCE_VISION_IMAGE_READ_2 \
    400, "vision.image_read", \
    "无法解码图像 %s：%s", \
    "cannot decode image %s: %s"
#define TCE_VISION_IMAGE_READ_3 \
    400, "vision.image_read", \
    "无法解码图像 %s", \
    "cannot decode image %s"
#define TCE_VISION_MASK_WRITE \
    500, "vision.mask_write", \
    "无法写入掩码 %s：%s", \
    "cannot write mask %s: %s"
#define TCE_VISION_MODEL_CORRUPT \
    500, "vision.model_corrupt", \
    "模型文件损坏：%s", \
    "corrupt model file: %s"
#define TCE_VISION_MODEL_INVALID \
    500, "vision.model_invalid", \
    "模型无法使用：第 %d 个算子（%s）%s", \
    "unusable model: op %d (%s): %s"
#define TCE_VISION_MODEL_INVALID_2 \
    500, "vision.model_invalid", \
    "模型需要的内存过多", \
    "the model needs too much memory"
#define TCE_VISION_MODEL_INVALID_3 \
    500, "vision.model_invalid", \
    "模型文件的输入输出与预期不符（文件放错了？）", \
    "a model's inputs or outputs are not the expected ones (wrong file?)"
#define TCE_VISION_MODEL_MISSING \
    500, "vision.model_missing", \
    "模型目录路径过长", \
    "models path too long"
#define TCE_VISION_MODEL_MISSING_2 \
    500, "vision.model_missing", \
    "无法读取模型文件 %s（请运行 scripts/fetch-models；在源码目录之外运行时，serve 用 --models-dir、photo 与 check 用环境变量 TUCAI_MODELS 指定模型文件夹）", \
    "cannot read model file %s (run scripts/fetch-models; outside the source folder point serve's --models-dir, or TUCAI_MODELS for photo and check, at the models folder)"
#define TCE_VISION_MODEL_NOT_TFLITE \
    500, "vision.model_not_tflite", \
    "不是 TensorFlow Lite 模型文件（缺少 TFL3 标识）", \
    "not a TensorFlow Lite model (no TFL3 identifier)"
#define TCE_VISION_MODEL_UNSUPPORTED_OP \
    500, "vision.model_unsupported_op", \
    "模型使用了推理引擎不支持的算子 %s（第 %d 个算子）", \
    "the model uses an op the engine lacks: %s (op %d)"

/* ---- wechat ---------------------------------------------------------------- */
#define TCE_WECHAT_BAD_ANSWER \
    502, "wechat.bad_answer", \
    "微信授权的应答过大", \
    "the WeChat authorisation answer is too large"
#define TCE_WECHAT_BAD_ANSWER_2 \
    502, "wechat.bad_answer", \
    "微信授权的应答无法读取（HTTP %ld）", \
    "the WeChat authorisation answer is unreadable (HTTP %ld)"
#define TCE_WECHAT_BAD_ANSWER_3 \
    502, "wechat.bad_answer", \
    "微信授权的应答中没有有效的用户标识（HTTP %ld）", \
    "the WeChat authorisation answer has no valid openid (HTTP %ld)"
#define TCE_WECHAT_BAD_CODE \
    400, "wechat.bad_code", \
    "微信授权码无效", \
    "the WeChat authorisation code is not valid"
#define TCE_WECHAT_BAD_RETURN \
    400, "wechat.bad_return", \
    "返回地址无效（应为本站的路径）", \
    "The return address is not valid (a path on this site)"
#define TCE_WECHAT_BAD_STATE \
    403, "wechat.bad_state", \
    "微信授权的校验参数不匹配，请回到支付页面重试", \
    "The WeChat authorisation does not match this session (state): go back to the pay page and try again"
#define TCE_WECHAT_CODE_INVALID \
    400, "wechat.code_invalid", \
    "微信授权码无效或已过期（40029），请重新打开支付页面", \
    "WeChat says the authorisation code is invalid or expired (40029): open the pay page again"
#define TCE_WECHAT_CODE_USED \
    400, "wechat.code_used", \
    "微信授权码已被使用（40163），请重新打开支付页面", \
    "WeChat says the authorisation code was used already (40163): open the pay page again"
#define TCE_WECHAT_NO_CODE \
    400, "wechat.no_code", \
    "微信没有给出授权码，请回到支付页面重试", \
    "WeChat gave no authorisation code: go back to the pay page and try again"
#define TCE_WECHAT_NOT_IN_WECHAT \
    409, "wechat.not_in_wechat", \
    "请在微信中打开本页面再支付", \
    "Open this page inside WeChat to pay with WeChat"
#define TCE_WECHAT_OAUTH_OFF \
    409, "wechat.oauth_off", \
    "未配置微信公众号网页授权，无法在微信内支付", \
    "WeChat web authorisation is not configured: no payment inside WeChat"
#define TCE_WECHAT_OAUTH_OFF_2 \
    409, "wechat.oauth_off", \
    "未配置微信公众号网页授权，无法在微信内支付（请用其他浏览器打开）", \
    "WeChat web authorisation is not configured: no payment inside WeChat (open the page in another browser)"
#define TCE_WECHAT_OPENID_REQUIRED \
    409, "wechat.openid_required", \
    "需要先经过微信授权才能在微信内支付", \
    "WeChat must confirm who is paying first (web authorisation)"
#define TCE_WECHAT_REFUSED \
    502, "wechat.refused", \
    "微信拒绝了授权请求（错误码 %lld），请联系学校或平台", \
    "WeChat refused the authorisation (errcode %lld): tell the school or the platform"
#define TCE_WECHAT_STATE_EXPIRED \
    403, "wechat.state_expired", \
    "微信授权已超时，请回到支付页面重试", \
    "The WeChat authorisation took too long: go back to the pay page and try again"
#define TCE_WECHAT_UNREACHABLE \
    503, "wechat.unreachable", \
    "无法连接微信（%s），请稍后再试", \
    "cannot reach WeChat (%s); try again later"

/* Every entry, for tests/unit/test_errcat.c:
 * X(name) is expanded once per entry. */
#define TC_ERRCAT_EACH(X) \
    X(TCE_ADDRESS_BAD_DETAIL) \
    X(TCE_ADDRESS_BAD_NAME) \
    X(TCE_ADDRESS_BAD_PHONE) \
    X(TCE_ADDRESS_BAD_REGION) \
    X(TCE_ADDRESS_NOT_FOUND) \
    X(TCE_ADDRESS_TOO_MANY) \
    X(TCE_API_BAD_ROUTE) \
    X(TCE_AUDIT_BAD_QUERY) \
    X(TCE_AUTH_BAD_CREDENTIALS) \
    X(TCE_AUTH_BAD_OLD_PASSWORD) \
    X(TCE_AUTH_BAD_REQUEST) \
    X(TCE_AUTH_CSRF) \
    X(TCE_AUTH_FORBIDDEN) \
    X(TCE_AUTH_NOT_YOURS) \
    X(TCE_AUTH_OTHER_SCHOOL) \
    X(TCE_AUTH_PASSWORD_CHANGE_REQUIRED) \
    X(TCE_AUTH_STAFF_REQUIRED) \
    X(TCE_AUTH_STUDENT_REQUIRED) \
    X(TCE_AUTH_THROTTLED) \
    X(TCE_BATCH_BAD_NAME) \
    X(TCE_BATCH_BAD_REQUEST) \
    X(TCE_BATCH_BAD_REQUEST_2) \
    X(TCE_BATCH_BAD_SETTINGS) \
    X(TCE_BATCH_BAD_TIME) \
    X(TCE_BATCH_BAD_WINDOW) \
    X(TCE_BATCH_CANCELLED) \
    X(TCE_BATCH_CODE_TAKEN) \
    X(TCE_BATCH_NOT_FOUND) \
    X(TCE_BATCH_NOT_FOUND_2) \
    X(TCE_BATCH_NOT_FOUND_3) \
    X(TCE_BLOB_BAD_ID) \
    X(TCE_BLOB_CORRUPT) \
    X(TCE_BLOB_NOT_FOUND) \
    X(TCE_BLOB_OPEN) \
    X(TCE_BLOB_OPEN_2) \
    X(TCE_BLOB_S3_CONFIG) \
    X(TCE_BLOB_S3_CONFIG_2) \
    X(TCE_BLOB_S3_CONFIG_3) \
    X(TCE_BLOB_S3_DENIED) \
    X(TCE_BLOB_S3_FAILED) \
    X(TCE_BLOB_S3_NO_BUCKET) \
    X(TCE_BLOB_S3_UNREACHABLE) \
    X(TCE_BLOB_TOO_LARGE) \
    X(TCE_CHECK_BAD_CONFIG) \
    X(TCE_CHECK_BAD_CONFIG_2) \
    X(TCE_CHECK_BAD_CONFIG_3) \
    X(TCE_CHECK_BAD_CONFIG_4) \
    X(TCE_CHECK_BAD_CONFIG_5) \
    X(TCE_CHECK_BAD_CONFIG_6) \
    X(TCE_CHECK_BAD_INPUT) \
    X(TCE_CHECK_BAD_INPUT_2) \
    X(TCE_CHECK_OOM) \
    X(TCE_CHSI_ALREADY_BOUND) \
    X(TCE_CHSI_BAD_CODE) \
    X(TCE_CHSI_NONE) \
    X(TCE_CHSI_TAKEN) \
    X(TCE_CONFIG_BAD_LINE) \
    X(TCE_CONFIG_BAD_SECRET) \
    X(TCE_CONFIG_BAD_VALUE) \
    X(TCE_CONFIG_BAD_VALUE_2) \
    X(TCE_CONFIG_BAD_VALUE_3) \
    X(TCE_CONFIG_BAD_VALUE_4) \
    X(TCE_CONFIG_PHOTO_WORKERS) \
    X(TCE_CONFIG_BAD_VALUE_5) \
    X(TCE_CONFIG_MISSING_VALUE) \
    X(TCE_CONFIG_MODELS_DIR_MISSING) \
    X(TCE_CONFIG_TLS) \
    X(TCE_CONFIG_UNKNOWN_OPTION) \
    X(TCE_CONFIG_UNKNOWN_OPTION_2) \
    X(TCE_CONFIG_VENDOR_DIR_MISSING) \
    X(TCE_CONFIG_WEB_DIR_MISSING) \
    X(TCE_ENTRY_BAD_FEATURE_CODE) \
    X(TCE_ENTRY_BATCH_CANCELLED) \
    X(TCE_ENTRY_CODE_MISSING) \
    X(TCE_ENTRY_EXPIRED) \
    X(TCE_ENTRY_LAST4_MISSING) \
    X(TCE_ENTRY_LAST4_WRONG) \
    X(TCE_ENTRY_LOCKED) \
    X(TCE_ENTRY_LOCKED_2) \
    X(TCE_ENTRY_NAME_AMBIGUOUS) \
    X(TCE_ENTRY_NAME_OR_LAST4) \
    X(TCE_ENTRY_OTHER_PERSON) \
    X(TCE_ENTRY_OUTSIDE_WINDOW) \
    X(TCE_ENTRY_UNKNOWN_CODE) \
    X(TCE_EXPORT_BAD_IDS) \
    X(TCE_EXPORT_BAD_RULE) \
    X(TCE_EXPORT_IDS_SCHOOL_ONLY) \
    X(TCE_EXPORT_TOO_MANY) \
    X(TCE_EXPORT_BAD_PART) \
    X(TCE_EXPORT_TPL_EMPTY) \
    X(TCE_EXPORT_TPL_TOO_LONG) \
    X(TCE_EXPORT_TPL_BAD_CHAR) \
    X(TCE_EXPORT_TPL_ABSOLUTE) \
    X(TCE_EXPORT_TPL_BAD_PATH) \
    X(TCE_EXPORT_TPL_TOO_DEEP) \
    X(TCE_EXPORT_TPL_UNCLOSED) \
    X(TCE_EXPORT_TPL_UNKNOWN) \
    X(TCE_EXPORT_TPL_NO_FIELD) \
    X(TCE_EXPORT_TPL_NO_PLACEHOLDER) \
    X(TCE_FILE_NOT_FOUND) \
    X(TCE_FILE_TOO_LARGE) \
    X(TCE_HTTP_BAD_BIND) \
    X(TCE_HTTP_BAD_BIND_2) \
    X(TCE_HTTP_BAD_CONFIG) \
    X(TCE_HTTP_BAD_CONTENT_TYPE) \
    X(TCE_HTTP_BAD_CONTENT_TYPE_2) \
    X(TCE_HTTP_BAD_FORM) \
    X(TCE_HTTP_BAD_FORM_2) \
    X(TCE_HTTP_BAD_FORM_3) \
    X(TCE_HTTP_BAD_JSON) \
    X(TCE_HTTP_BAD_JSON_2) \
    X(TCE_HTTP_BAD_MOUNT) \
    X(TCE_HTTP_BAD_MOUNT_2) \
    X(TCE_HTTP_BAD_MULTIPART) \
    X(TCE_HTTP_BAD_PATH) \
    X(TCE_HTTP_BAD_PATH_2) \
    X(TCE_HTTP_BODY_TOO_LARGE) \
    X(TCE_HTTP_BODY_TOO_LARGE_2) \
    X(TCE_HTTP_BUSY) \
    X(TCE_HTTP_HEADER_TOO_LARGE) \
    X(TCE_HTTP_LISTEN) \
    X(TCE_HTTP_NO_TLS) \
    X(TCE_HTTP_NOT_FOUND) \
    X(TCE_HTTP_NOT_FOUND_2) \
    X(TCE_HTTP_NOT_FOUND_3) \
    X(TCE_HTTP_TLS_CONFIG) \
    X(TCE_HTTP_TOO_MANY_PARTS) \
    X(TCE_HTTP_TOO_MANY_REQUESTS) \
    X(TCE_HTTP_TOO_MANY_UPLOADS) \
    X(TCE_IDENT_CORRUPT) \
    X(TCE_IDENT_WRONG_KEY) \
    X(TCE_IDNUM_BAD_CHARS) \
    X(TCE_IDNUM_BAD_CHECKSUM) \
    X(TCE_IDNUM_BAD_DATE) \
    X(TCE_IDNUM_BAD_LENGTH) \
    X(TCE_IDNUM_EMPTY) \
    X(TCE_INTERNAL) \
    X(TCE_INTERNAL_2) \
    X(TCE_JOURNEY_ALBUM_NOT_ALLOWED) \
    X(TCE_JOURNEY_ALREADY_PAID) \
    X(TCE_JOURNEY_ALREADY_SUBMITTED) \
    X(TCE_JOURNEY_BAD_EMAIL) \
    X(TCE_JOURNEY_BAD_SETTINGS) \
    X(TCE_JOURNEY_BAD_SETTINGS_2) \
    X(TCE_JOURNEY_BAD_SETTINGS_3) \
    X(TCE_JOURNEY_BAD_SETTINGS_4) \
    X(TCE_JOURNEY_BAD_SOURCE) \
    X(TCE_JOURNEY_BATCH_CANCELLED) \
    X(TCE_JOURNEY_BUSY) \
    X(TCE_JOURNEY_CHSI_UNBOUND) \
    X(TCE_JOURNEY_CONSENT_BAD) \
    X(TCE_JOURNEY_CONSENT_REQUIRED) \
    X(TCE_JOURNEY_CONSENT_STALE) \
    X(TCE_JOURNEY_COOLOFF) \
    X(TCE_JOURNEY_DELETE_TOO_EARLY) \
    X(TCE_JOURNEY_DRAFTS_FULL) \
    X(TCE_JOURNEY_DRAFTS_FULL_2) \
    X(TCE_JOURNEY_EMAIL_CODE_EXPIRED) \
    X(TCE_JOURNEY_EMAIL_CODE_TRIES) \
    X(TCE_JOURNEY_EMAIL_CODE_WRONG) \
    X(TCE_JOURNEY_EMAIL_CODE_WRONG_2) \
    X(TCE_JOURNEY_EMAIL_LIMIT) \
    X(TCE_JOURNEY_EMAIL_UNCONFIRMED) \
    X(TCE_JOURNEY_LIVE_LOCKED_2) \
    X(TCE_JOURNEY_LIVE_NOT_ALLOWED) \
    X(TCE_JOURNEY_LOCKED_2) \
    X(TCE_JOURNEY_NO_EMAIL_CODE) \
    X(TCE_JOURNEY_NO_PHONE) \
    X(TCE_JOURNEY_NO_PHOTO) \
    X(TCE_JOURNEY_NO_PHOTO_2) \
    X(TCE_JOURNEY_NO_RESULT) \
    X(TCE_JOURNEY_NO_SUBMISSION) \
    X(TCE_JOURNEY_NO_SUBMISSION_2) \
    X(TCE_JOURNEY_NOT_A_DRAFT) \
    X(TCE_JOURNEY_NOT_A_DRAFT_2) \
    X(TCE_JOURNEY_NOT_LIVE_CAPTURE) \
    X(TCE_JOURNEY_NOT_PAID) \
    X(TCE_JOURNEY_NOT_WITHDRAWABLE) \
    X(TCE_JOURNEY_NOTHING_TO_PAY) \
    X(TCE_JOURNEY_NOTICE_UNREAD) \
    X(TCE_JOURNEY_OUTSIDE_WINDOW) \
    X(TCE_JOURNEY_STORAGE_FULL) \
    X(TCE_JOURNEY_TIPS_UNREAD) \
    X(TCE_JOURNEY_TIPS_UNREAD_2) \
    X(TCE_JOURNEY_TUTORIAL_UNWATCHED) \
    X(TCE_JOURNEY_UNDER_REVIEW) \
    X(TCE_JOURNEY_WECHAT_UNAUTHORISED) \
    X(TCE_JOURNEY_WECHAT_UNAVAILABLE) \
    X(TCE_NOTICE_BAD_REQUEST) \
    X(TCE_NOTICE_BAD_TEXT) \
    X(TCE_NOTICE_TOO_LARGE) \
    X(TCE_NOTIFY_BAD_ADDRESS) \
    X(TCE_NOTIFY_BAD_CHANNEL) \
    X(TCE_NOTIFY_BAD_MESSAGE) \
    X(TCE_NOTIFY_BAD_MESSAGE_2) \
    X(TCE_NOTIFY_BAD_PAYLOAD) \
    X(TCE_NOTIFY_NO_BLOBS) \
    X(TCE_NOTIFY_NOT_CONFIGURED) \
    X(TCE_NOTIFY_NOT_CONFIGURED_2) \
    X(TCE_NOTIFY_NOT_CONFIGURED_3) \
    X(TCE_NOTIFY_NOT_CONFIGURED_4) \
    X(TCE_NOTIFY_SEND_FAILED) \
    X(TCE_NOTIFY_SEND_FAILED_2) \
    X(TCE_NOTIFY_SEND_FAILED_3) \
    X(TCE_NOTIFY_SEND_FAILED_4) \
    X(TCE_NOTIFY_SEND_FAILED_5) \
    X(TCE_NOTIFY_SEND_FAILED_6) \
    X(TCE_NOTIFY_WECHAT_REFUSED) \
    X(TCE_NOTIFY_WECHAT_TOKEN) \
    X(TCE_NOTIFY_WECHAT_TOKEN_2) \
    X(TCE_ORDER_BAD_CARRIER) \
    X(TCE_ORDER_BAD_FILTER) \
    X(TCE_ORDER_BAD_FILTER_2) \
    X(TCE_ORDER_BAD_TRACKING) \
    X(TCE_ORDER_NOT_CLOSABLE) \
    X(TCE_ORDER_NOT_CLOSABLE_2) \
    X(TCE_ORDER_NOT_PAYABLE) \
    X(TCE_ORDER_NOT_PAYABLE_2) \
    X(TCE_ORDER_NOT_SHIPPED) \
    X(TCE_ORDER_NOT_TO_SHIP) \
    X(TCE_OUTBOX_BAD_MESSAGE) \
    X(TCE_OUTBOX_NOT_FOUND) \
    X(TCE_PASSWORD_SAME) \
    X(TCE_PASSWORD_WEAK) \
    X(TCE_PAY_AMOUNT_MISMATCH) \
    X(TCE_PAY_BAD_CALLBACK) \
    X(TCE_PAY_BAD_CALLBACK_2) \
    X(TCE_PAY_BAD_CALLBACK_3) \
    X(TCE_PAY_BAD_CALLBACK_4) \
    X(TCE_PAY_BAD_CALLBACK_5) \
    X(TCE_PAY_BAD_CALLBACK_6) \
    X(TCE_PAY_BAD_CALLBACK_7) \
    X(TCE_PAY_BAD_REQUEST) \
    X(TCE_PAY_BAD_REQUEST_2) \
    X(TCE_PAY_BAD_REQUEST_3) \
    X(TCE_PAY_BAD_REQUEST_4) \
    X(TCE_PAY_BAD_REQUEST_5) \
    X(TCE_PAY_BAD_REQUEST_6) \
    X(TCE_PAY_BAD_REQUEST_7) \
    X(TCE_PAY_BAD_REQUEST_8) \
    X(TCE_PAY_BAD_SIGNATURE) \
    X(TCE_PAY_BAD_SIGNATURE_2) \
    X(TCE_PAY_BAD_SIGNATURE_3) \
    X(TCE_PAY_BAD_SIGNATURE_4) \
    X(TCE_PAY_BAD_SIGNATURE_5) \
    X(TCE_PAY_CONFIG) \
    X(TCE_PAY_CONFIG_2) \
    X(TCE_PAY_CONFIG_3) \
    X(TCE_PAY_CONFIG_4) \
    X(TCE_PAY_CONFIG_5) \
    X(TCE_PAY_CONFIG_6) \
    X(TCE_PAY_DECRYPT) \
    X(TCE_PAY_NOT_FOUND) \
    X(TCE_PAY_OPENID_MISMATCH) \
    X(TCE_PAY_ORDER_NOT_FOUND) \
    X(TCE_PAY_ORDER_PAID) \
    X(TCE_PAY_ORDER_PAID_2) \
    X(TCE_PAY_PROVIDER) \
    X(TCE_PAY_PROVIDER_2) \
    X(TCE_PAY_PROVIDER_3) \
    X(TCE_PAY_PROVIDER_4) \
    X(TCE_PAY_PROVIDER_5) \
    X(TCE_PAY_PROVIDER_6) \
    X(TCE_PAY_SANDBOX_OFF) \
    X(TCE_PAY_STALE) \
    X(TCE_PAY_UNREACHABLE) \
    X(TCE_PAY_WECHAT_OFF) \
    X(TCE_PDF_BAD_IMAGE) \
    X(TCE_PDF_BAD_TEXT) \
    X(TCE_PDF_ENCODE) \
    X(TCE_PDF_FONT_MISSING) \
    X(TCE_PDF_FONT_MISSING_2) \
    X(TCE_PERSON_NOT_FOUND) \
    X(TCE_PHONE_INVALID) \
    X(TCE_PHOTO_BAD_BACKGROUND) \
    X(TCE_PHOTO_BAD_BACKGROUND_2) \
    X(TCE_PHOTO_BAD_BACKGROUND_3) \
    X(TCE_PHOTO_BAD_GEOMETRY) \
    X(TCE_PHOTO_BAD_GEOMETRY_2) \
    X(TCE_PHOTO_BAD_GEOMETRY_3) \
    X(TCE_PHOTO_BAD_GEOMETRY_4) \
    X(TCE_PHOTO_BAD_GEOMETRY_5) \
    X(TCE_PHOTO_BAD_GEOMETRY_6) \
    X(TCE_PHOTO_BAD_GEOMETRY_7) \
    X(TCE_PHOTO_BAD_GEOMETRY_8) \
    X(TCE_PHOTO_BAD_GEOMETRY_9) \
    X(TCE_PHOTO_BAD_LAYOUT) \
    X(TCE_PHOTO_BAD_LAYOUT_2) \
    X(TCE_PHOTO_BAD_LAYOUT_3) \
    X(TCE_PHOTO_BAD_LAYOUT_4) \
    X(TCE_PHOTO_BAD_MASK) \
    X(TCE_PHOTO_BAD_MASK_2) \
    X(TCE_PHOTO_BAD_REGION) \
    X(TCE_PHOTO_BAD_SHEET) \
    X(TCE_PHOTO_BAD_SHEET_2) \
    X(TCE_PHOTO_BAD_SHEET_3) \
    X(TCE_PHOTO_BAD_SPEC) \
    X(TCE_PHOTO_BAD_SPEC_2) \
    X(TCE_PHOTO_BAD_SPEC_3) \
    X(TCE_PHOTO_BAD_SPEC_4) \
    X(TCE_PHOTO_BAD_SPEC_5) \
    X(TCE_PHOTO_BAD_SPEC_6) \
    X(TCE_PHOTO_CORRUPT) \
    X(TCE_PHOTO_CORRUPT_2) \
    X(TCE_PHOTO_CORRUPT_3) \
    X(TCE_PHOTO_CROP_OUTSIDE) \
    X(TCE_PHOTO_EMPTY) \
    X(TCE_PHOTO_ENCODE) \
    X(TCE_PHOTO_ENCODE_2) \
    X(TCE_PHOTO_FACES) \
    X(TCE_PHOTO_GEOMETRY_OUT_OF_RANGE) \
    X(TCE_PHOTO_GEOMETRY_OUT_OF_RANGE_2) \
    X(TCE_PHOTO_GEOMETRY_OUT_OF_RANGE_3) \
    X(TCE_PHOTO_HEAD_CUT_OFF) \
    X(TCE_PHOTO_NO_FACE) \
    X(TCE_PHOTO_NO_FACE_ENGINE) \
    X(TCE_PHOTO_OUT_OF_SPEC) \
    X(TCE_PHOTO_OUT_OF_SPEC_2) \
    X(TCE_PHOTO_NO_IMAGE) \
    X(TCE_PHOTO_CLAIM_LOST) \
    X(TCE_PHOTO_NOT_FOUND) \
    X(TCE_PHOTO_SHEET_OVERFLOW) \
    X(TCE_PHOTO_SHEET_OVERFLOW_2) \
    X(TCE_PHOTO_SIZE_OUT_OF_RANGE) \
    X(TCE_PHOTO_SIZE_OUT_OF_RANGE_2) \
    X(TCE_PHOTO_SPEC_FILE) \
    X(TCE_PHOTO_SPEC_FILE_2) \
    X(TCE_PHOTO_SPEC_FILE_3) \
    X(TCE_PHOTO_TOO_LARGE) \
    X(TCE_PHOTO_TOO_LARGE_2) \
    X(TCE_PHOTO_TOO_LARGE_3) \
    X(TCE_PHOTO_TOO_LARGE_4) \
    X(TCE_PHOTO_TOO_SMALL) \
    X(TCE_PHOTO_TRUNCATED) \
    X(TCE_PHOTO_UNSUPPORTED_FORMAT) \
    X(TCE_QR_BAD_ARG) \
    X(TCE_QR_BAD_ARG_2) \
    X(TCE_QR_BAD_CONTENT) \
    X(TCE_QR_MULTIPLE) \
    X(TCE_QR_NOT_AN_IMAGE) \
    X(TCE_QR_NOT_FOUND) \
    X(TCE_QR_TOO_LARGE) \
    X(TCE_QR_TOO_LARGE_2) \
    X(TCE_QR_TOO_LONG) \
    X(TCE_QUERY_BAD_NUMBER) \
    X(TCE_REASON_BAD_ACTIVE) \
    X(TCE_REASON_BAD_CODE) \
    X(TCE_REASON_BAD_SORT) \
    X(TCE_REASON_BAD_TEXT) \
    X(TCE_REASON_CODE_TAKEN) \
    X(TCE_REASON_NOT_FOUND) \
    X(TCE_RECON_BAD_DAY) \
    X(TCE_RECON_BAD_DAY_2) \
    X(TCE_RECORDS_NOT_FOUND) \
    X(TCE_REPRINT_BAD_LAYOUT) \
    X(TCE_REPRINT_BAD_QUANTITY) \
    X(TCE_REPRINT_NO_ADDRESS) \
    X(TCE_REPRINT_NO_PHOTO) \
    X(TCE_REVIEW_BAD_IDS) \
    X(TCE_REVIEW_BAD_IDS_2) \
    X(TCE_REVIEW_BAD_REASON) \
    X(TCE_REVIEW_BAD_REASON_2) \
    X(TCE_REVIEW_BAD_REASON_3) \
    X(TCE_REVIEW_CLAIMED) \
    X(TCE_REVIEW_NOT_APPROVED) \
    X(TCE_REVIEW_NOT_SUBMITTED) \
    X(TCE_REVIEW_NOTE_TOO_LONG) \
    X(TCE_REVIEW_REASON_REQUIRED) \
    X(TCE_ROSTER_BAD_CODE) \
    X(TCE_ROSTER_BAD_ENCODING) \
    X(TCE_ROSTER_BAD_FILTER) \
    X(TCE_ROSTER_BAD_MODE) \
    X(TCE_ROSTER_BAD_QUERY) \
    X(TCE_ROSTER_BAD_XLSX) \
    X(TCE_ROSTER_BAD_XLSX_2) \
    X(TCE_ROSTER_CHSI_TAKEN) \
    X(TCE_ROSTER_CONFLICT) \
    X(TCE_ROSTER_CSV_QUOTE) \
    X(TCE_ROSTER_DUPLICATE_COLUMN) \
    X(TCE_ROSTER_EMPTY) \
    X(TCE_ROSTER_INVALID) \
    X(TCE_ROSTER_MISSING_COLUMN) \
    X(TCE_ROSTER_NO_FILE) \
    X(TCE_ROSTER_NO_HEADER) \
    X(TCE_ROSTER_NO_HEADER_2) \
    X(TCE_ROSTER_NO_ROWS) \
    X(TCE_ROSTER_NOT_A_SPREADSHEET) \
    X(TCE_ROSTER_TOO_LARGE) \
    X(TCE_ROSTER_TOO_MANY_CELLS) \
    X(TCE_ROSTER_TOO_MANY_CELLS_2) \
    X(TCE_ROSTER_TOO_MANY_COLUMNS) \
    X(TCE_ROSTER_TOO_MANY_ROWS) \
    X(TCE_ROSTER_TOO_MANY_ROWS_2) \
    X(TCE_ROSTER_TOO_MUCH_TEXT) \
    X(TCE_ROSTER_TOO_MUCH_TEXT_2) \
    X(TCE_ROSTER_XLS_UNSUPPORTED) \
    X(TCE_ROSTER_ZIP_BOMB) \
    X(TCE_SCHOOL_BAD_CONTACT) \
    X(TCE_SCHOOL_BAD_NAME) \
    X(TCE_SCHOOL_BAD_SETTINGS) \
    X(TCE_SCHOOL_NAME_TAKEN) \
    X(TCE_SCHOOL_NOT_FOUND) \
    X(TCE_SESSION_NONE) \
    X(TCE_SETTINGS_NO_MODE) \
    X(TCE_SPEC_BAD_NAME) \
    X(TCE_SPEC_BAD_ZH) \
    X(TCE_SPEC_BUILTIN) \
    X(TCE_SPEC_IN_USE) \
    X(TCE_SPEC_NAME_FIXED) \
    X(TCE_SPEC_NAME_TAKEN) \
    X(TCE_SPEC_NOT_FOUND) \
    X(TCE_SPEC_NOT_FOUND_2) \
    X(TCE_SPEC_NOT_FOUND_3) \
    X(TCE_STAFF_BAD_REQUEST) \
    X(TCE_STAFF_BAD_REQUEST_2) \
    X(TCE_STAFF_BAD_REQUEST_3) \
    X(TCE_STAFF_BAD_ROLE) \
    X(TCE_STAFF_NOT_FOUND) \
    X(TCE_STAFF_SELF) \
    X(TCE_STAFF_USERNAME_TAKEN) \
    X(TCE_STORE_BAD_VERSION) \
    X(TCE_STORE_BUSY) \
    X(TCE_STORE_MIGRATION_KEYS) \
    X(TCE_STORE_OPEN) \
    X(TCE_STORE_TOO_NEW) \
    X(TCE_STORE_UNAVAILABLE) \
    X(TCE_STUDENT_BAD_FIELD) \
    X(TCE_STUDENT_CHSI_TAKEN) \
    X(TCE_STUDENT_ERASED) \
    X(TCE_STUDENT_ERASE_CONFIRM) \
    X(TCE_STUDENT_ID_TAKEN) \
    X(TCE_STUDENT_NO_TAKEN) \
    X(TCE_STUDENT_NOT_FOUND) \
    X(TCE_STUDENT_NOT_FOUND_2) \
    X(TCE_STUDENT_REASON_REQUIRED) \
    X(TCE_STUDIO_UNAVAILABLE) \
    X(TCE_VISION_BAD_IMAGE) \
    X(TCE_VISION_BAD_IMAGE_2) \
    X(TCE_VISION_IMAGE_READ) \
    X(TCE_VISION_IMAGE_READ_2) \
    X(TCE_VISION_IMAGE_READ_3) \
    X(TCE_VISION_MASK_WRITE) \
    X(TCE_VISION_MODEL_CORRUPT) \
    X(TCE_VISION_MODEL_INVALID) \
    X(TCE_VISION_MODEL_INVALID_2) \
    X(TCE_VISION_MODEL_INVALID_3) \
    X(TCE_VISION_MODEL_MISSING) \
    X(TCE_VISION_MODEL_MISSING_2) \
    X(TCE_VISION_MODEL_NOT_TFLITE) \
    X(TCE_VISION_MODEL_UNSUPPORTED_OP) \
    X(TCE_WECHAT_BAD_ANSWER) \
    X(TCE_WECHAT_BAD_ANSWER_2) \
    X(TCE_WECHAT_BAD_ANSWER_3) \
    X(TCE_WECHAT_BAD_CODE) \
    X(TCE_WECHAT_BAD_RETURN) \
    X(TCE_WECHAT_BAD_STATE) \
    X(TCE_WECHAT_CODE_INVALID) \
    X(TCE_WECHAT_CODE_USED) \
    X(TCE_WECHAT_NO_CODE) \
    X(TCE_WECHAT_NOT_IN_WECHAT) \
    X(TCE_WECHAT_OAUTH_OFF) \
    X(TCE_WECHAT_OAUTH_OFF_2) \
    X(TCE_WECHAT_OPENID_REQUIRED) \
    X(TCE_WECHAT_REFUSED) \
    X(TCE_WECHAT_STATE_EXPIRED) \
    X(TCE_WECHAT_UNREACHABLE)

#endif
