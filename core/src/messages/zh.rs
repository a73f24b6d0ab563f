//! The Chinese (中文) forms of the core's reasons, keyed by the English text with `{}` for
//! each dynamic part; `{0}`…`{9}` in a Chinese form put the parts in another order. A
//! test scans the core's sources and fails when a reason written there has no entry.

/// (English, Chinese) for every reason the core writes.
pub(crate) const REASONS: &[(&str, &str)] = &[
    (
        "ID number {} is already in the store",
        "身份证号 {} 已在库中",
    ),
    (
        "a 15-digit ID number has only digits",
        "15 位身份证号只含数字",
    ),
    (
        "a JSON array of categories is required",
        "需要一个类别的 JSON 数组",
    ),
    (
        "a category is kept in at least one book",
        "每个类别至少记入一本台账",
    ),
    ("a code has 1 to {} characters", "编码为 1 到 {} 个字符"),
    ("a code length is a positive number", "编码长度须为正数"),
    (
        "a code may hold only A-Z, a-z, 0-9, '_', '.' and '-'",
        "编码只能包含 A-Z、a-z、0-9、'_'、'.' 和 '-'",
    ),
    (
        "a cursor of another list ({}, not {})",
        "这是另一列表的游标（{}，不是 {}）",
    ),
    (
        "a cursor of another query of this list",
        "这是本列表另一查询的游标",
    ),
    (
        "a cursor of this list for another day or moment",
        "这是本列表另一日期或时刻的游标",
    ),
    (
        "a date is not MM-DD or YYYY-MM-DD",
        "日期不是 MM-DD 或 YYYY-MM-DD",
    ),
    (
        "a deployment key is 16 to 64 bytes",
        "部署密钥为 16 到 64 字节",
    ),
    (
        "a deployment key is 16 to 64 bytes (32 to 128 hex digits)",
        "部署密钥为 16 到 64 字节（32 到 128 位十六进制数字）",
    ),
    (
        "a deployment key is given as hex digits, two per byte",
        "部署密钥以十六进制数字给出，每字节两位",
    ),
    (
        "a holiday runs forwards and lasts at most a month",
        "假期须从前往后，且最长一个月",
    ),
    (
        "a level name is 1-32 lower-case letters, digits or '_'",
        "层级名为 1 到 32 个小写字母、数字或 '_'",
    ),
    ("a list holds only texts", "列表只能包含文本"),
    ("a make-up day is not a date", "调休补班日不是日期"),
    ("a page holds 1 to {} items", "每页 1 到 {} 条"),
    (
        "a phone is 3 to 20 digits, with '-', '+' or spaces",
        "电话为 3 到 20 位数字，可含 '-'、'+' 或空格",
    ),
    (
        "a rule names exactly one of class and tag",
        "规则须且只须指定 class 与 tag 之一",
    ),
    (
        "a rule set is a JSON array of rules",
        "规则集是规则的 JSON 数组",
    ),
    ("a sample size is 0 or more", "样本量须为 0 或以上"),
    (
        "a sealed {} does not open with this handle's key: the store was rekeyed through another handle (open it again with the new key) or changed outside the library",
        "加密的 {} 无法用本句柄的密钥解开：库已通过另一句柄更换密钥（请用新密钥重新打开），或在本库之外被改动",
    ),
    (
        "a unit name is 1 to 200 characters",
        "单位名称为 1 到 200 个字符",
    ),
    ("a whole number, {} to {}", "应为 {} 到 {} 的整数"),
    ("a {} cannot be placed under a {}", "{} 不能放在 {} 之下"),
    (
        "a {} cannot be placed under {}, a {}",
        "{0} 不能放在 {2} {1} 之下",
    ),
    ("a {} code has exactly {} digits", "{} 编码必须为 {} 位数字"),
    (
        "a {} code must start with its parent's code {}",
        "{} 编码必须以上级编码 {} 开头",
    ),
    (
        "a {} does not report (no reporting rule for its level)",
        "{} 不报送报表（其层级没有报送规则）",
    ),
    (
        "a {} of this keyed store is not sealed: it was changed outside the library",
        "本加密库中的 {} 未加密：它在本库之外被改动",
    ),
    ("a {} reports every {}", "{} 每 {} 报送一次"),
    (
        "an actor is 1 to 128 characters",
        "操作人为 1 到 128 个字符",
    ),
    (
        "an archive section is a JSON object",
        "档案分节须为 JSON 对象",
    ),
    (
        "an audit head has a sequence number from 0 and a 64-digit hex digest",
        "审计链头含从 0 起的序号和 64 位十六进制摘要",
    ),
    (
        "an audit head is {\"seq\", \"digest\", \"at\"}: {}",
        "审计链头为 {\"seq\", \"digest\", \"at\"}：{}",
    ),
    (
        "an extension is 1 to 365 working days",
        "延期为 1 到 365 个工作日",
    ),
    (
        "an in-memory store is new and empty: it cannot be opened read-only",
        "内存库是新建的空库，不能以只读方式打开",
    ),
    ("an object of tag → books", "应为 标签 → 台账 的对象"),
    ("ancestors of {} are missing on {}", "{} 在 {} 缺少上级单位"),
    (
        "another connection is reading the file, so its log cannot be emptied",
        "另一连接正在读取该文件，无法清空其日志",
    ),
    ("archive content is unreadable: {}", "档案内容无法读取：{}"),
    (
        "assignment {} already ended on {}",
        "岗位分配 {} 已于 {} 结束",
    ),
    ("at least one item", "至少需要一项"),
    ("at least one level is needed", "至少需要一个层级"),
    (
        "bad stored entry state ({}): {}",
        "库中事项状态有误（{}）：{}",
    ),
    ("bad stored handler {}", "库中承办人有误 {}"),
    (
        "before entry {}'s last event at {}",
        "早于事项 {} 的最后一次事件 {}",
    ),
    (
        "before the assignment's start {}",
        "早于岗位分配的开始日期 {}",
    ),
    (
        "birth date: digits 7 to 14 are not a real date",
        "出生日期：第 7 到 14 位不是有效日期",
    ),
    (
        "birth date: it is after the registration date {}",
        "出生日期：晚于登记日期 {}",
    ),
    (
        "cannot escalate entry {}: {} is the top of the tree",
        "无法上报事项 {}：{} 已是最高层级",
    ),
    ("cannot open {}: {}", "无法打开 {}：{}"),
    (
        "cannot read its first sheet: {}",
        "无法读取第一个工作表：{}",
    ),
    ("cannot read the header line: {}", "无法读取表头行：{}"),
    ("cannot read: {}", "无法读取：{}"),
    ("cannot seal {}", "无法加密 {}"),
    ("cannot {} entry {}: {}", "无法对事项 {1} 执行 {0}：{2}"),
    (
        "characters: 17 digits then a digit or X",
        "字符：前 17 位为数字，最后一位为数字或 X",
    ),
    (
        "check digit: it does not match the other 17 (ISO 7064 MOD 11-2)",
        "校验位：与前 17 位不符（ISO 7064 MOD 11-2）",
    ),
    (
        "code lengths must grow with depth and stay within 1..={}",
        "编码长度须随层级递增，且在 1..={} 之内",
    ),
    ("each category names its books", "每个类别须列出其台账"),
    ("ends before it starts", "结束早于开始"),
    ("ends before its start {}", "结束早于其开始日期 {}"),
    (
        "entries are registered through register_entries",
        "事项须通过 register_entries 登记",
    ),
    ("entry {} has no event marks", "事项 {} 没有事件标记"),
    (
        "entry {}: its event marks are damaged",
        "事项 {}：事件标记已损坏",
    ),
    ("expected 0 to 60 working days", "应为 0 到 60 个工作日"),
    (
        "expected FIRST[..LAST] then optionally work DAYS",
        "应为 FIRST[..LAST]，可再加 work DAYS",
    ),
    (
        "expected RFC 3339 time with an offset (2024-03-01T09:00:00+08:00) or a date",
        "应为带时区偏移的 RFC 3339 时间（2024-03-01T09:00:00+08:00）或日期",
    ),
    (
        "expected YEAR NAME off FIRST[..LAST] [work DAYS]",
        "应为 YEAR NAME off FIRST[..LAST] [work DAYS]",
    ),
    (
        "expected a JSON array of row objects",
        "应为行对象的 JSON 数组",
    ),
    (
        "expected a JSON array, one {} an item, not {}",
        "应为 JSON 数组，每项一个 {}，而不是 {}",
    ),
    ("expected a JSON object", "应为 JSON 对象"),
    (
        "expected a JSON object for the {}, not {}",
        "{} 应为 JSON 对象，而不是 {}",
    ),
    (
        "expected a JSON object, not {}",
        "应为 JSON 对象，而不是 {}",
    ),
    ("expected a count", "应为计数"),
    (
        "expected a date in the years 0001 to 9999",
        "应为 0001 到 9999 年之间的日期",
    ),
    ("expected a date such as {}", "应为日期，例如 {}"),
    (
        "expected a period in the years 0001 to 9999",
        "应为 0001 到 9999 年之间的期间",
    ),
    (
        "expected a period: a day (2025-01-05, 2025/1/5, 2025年1月5日, 20250105), an ISO week (2025-W02), a month (2025-01, 2025-1, 2025年1月), a quarter (2025-Q1, 2025Q1, 2025年第1季度, 2025年一季度), a half year (2025-H1, 2025年上半年) or a year (2025, 2025年)",
        "应为期间：日（2025-01-05、2025/1/5、2025年1月5日、20250105）、ISO 周（2025-W02）、月（2025-01、2025-1、2025年1月）、季度（2025-Q1、2025Q1、2025年第1季度、2025年一季度）、半年（2025-H1、2025年上半年）或年（2025、2025年）",
    ),
    ("expected a positive number", "应为正数"),
    (
        "expected a rate indicator (closure_rate, due_closure_rate, timely_rate, sign_for_rate, timely_sign_for_rate, home_coverage, rule_compliance, report_completeness, report_timeliness)",
        "应为比率指标（closure_rate、due_closure_rate、timely_rate、sign_for_rate、timely_sign_for_rate、home_coverage、rule_compliance、report_completeness、report_timeliness）",
    ),
    ("expected a row number, from 1", "应为从 1 起的行号"),
    (
        "expected a time as YYYY-MM-DDTHH:MM[:SS][+08:00]",
        "应为 YYYY-MM-DDTHH:MM[:SS][+08:00] 格式的时间",
    ),
    ("expected a whole number", "应为整数"),
    (
        "expected all_or_nothing or skip_invalid",
        "应为 all_or_nothing 或 skip_invalid",
    ),
    ("expected an array of items", "应为项目数组"),
    ("expected an array of text", "应为文本数组"),
    (
        "expected an object from a header to a column name",
        "应为 表头 → 列名 的对象",
    ),
    ("expected calendar or rolling", "应为 calendar 或 rolling"),
    (
        "expected day, week, month, quarter, half_year or year",
        "应为 day、week、month、quarter、half_year 或 year",
    ),
    ("expected en or zh", "应为 en 或 zh"),
    ("expected home or phone", "应为 home 或 phone"),
    (
        "expected on_site, coordinate or escalate",
        "应为 on_site、coordinate 或 escalate",
    ),
    ("expected one of {}", "应为以下之一：{}"),
    ("expected ordinary or special", "应为 ordinary 或 special"),
    (
        "expected registered, floating or rental",
        "应为 registered、floating 或 rental",
    ),
    (
        "expected registered, signed_for, in_progress, suspended, resolved or closed",
        "应为 registered、signed_for、in_progress、suspended、resolved 或 closed",
    ),
    (
        "expected resolved, pending or hard",
        "应为 resolved、pending 或 hard",
    ),
    ("expected text", "应为文本"),
    ("expected true or false", "应为 true 或 false"),
    (
        "expected utf-8, gbk or gb18030",
        "应为 utf-8、gbk 或 gb18030",
    ),
    (
        "expected visit, hotline, walk_in, online, patrol or letter",
        "应为 visit、hotline、walk_in、online、patrol 或 letter",
    ),
    (
        "expected working days as 5d or hours as 24h",
        "应为工作日（如 5d）或小时（如 24h）",
    ),
    (
        "finding {} is already taken up by entry {}",
        "发现问题 {} 已由事项 {} 受理",
    ),
    ("found at unit {}, not {}", "发现于单位 {}，而不是 {}"),
    (
        "history of unit {} is out of step",
        "单位 {} 的沿革记录不一致",
    ),
    ("household id {} already exists", "户编号 {} 已存在"),
    (
        "household {} has changes recorded after {}",
        "户 {} 在 {} 之后有变更记录",
    ),
    (
        "household {} has changes recorded from {}",
        "户 {} 自 {} 起有变更记录",
    ),
    (
        "is {} itself or one of its descendants",
        "是 {} 本身或其下级",
    ),
    ("it is already marked hard", "已标记为难以解决"),
    ("it is already with {}", "已在 {} 处"),
    (
        "it is the first of its kind in the years 0001 to 9999",
        "它是 0001 到 9999 年间同类中的第一个",
    ),
    (
        "it is the last of its kind in the years 0001 to 9999",
        "它是 0001 到 9999 年间同类中的最后一个",
    ),
    ("it is {} (allowed when {})", "当前为 {}（仅在 {} 时允许）"),
    (
        "its days fall outside the years 0001 to 9999",
        "其日期超出 0001 到 9999 年",
    ),
    (
        "its {} {} has days outside the years 0001 to 9999",
        "其 {} {} 含有 0001 到 9999 年以外的日期",
    ),
    (
        "length: an ID number has 18 characters (or 15 for the old kind), not {}",
        "长度：身份证号为 18 位（旧式为 15 位），不是 {}",
    ),
    ("level names must be unique", "层级名不得重复"),
    ("line {}: {}", "第 {} 行：{}"),
    ("listed twice", "重复列出"),
    ("lives outside unit {} on {}", "在 {1} 不住在单位 {0} 内"),
    ("missing columns: {}", "缺少列：{}"),
    (
        "more working days than the {} days the calendar covers ({})",
        "工作日数超过日历覆盖的 {} 天（{}）",
    ),
    ("must lie within ±24 hours", "须在 ±24 小时之内"),
    ("names no year", "未指明年份"),
    (
        "no handler sent it here, so there is none to return it to",
        "没有承办人转来，无处退回",
    ),
    (
        "no header row in the first {} rows: a header names at least two of {}",
        "前 {} 行中没有表头行：表头至少包含以下两个：{}",
    ),
    (
        "no randomness from the system: {}",
        "系统无法提供随机数：{}",
    ),
    (
        "none given, and no keyword of the summary suggests one",
        "未给出，且摘要中没有可据以推断的关键词",
    ),
    ("not JSON: {}", "不是 JSON：{}"),
    (
        "not a category of the ledger rules in force (they list {})",
        "不是现行台账规则中的类别（现有：{}）",
    ),
    ("not a ledger action", "不是台账操作"),
    ("not a level of this deployment", "不是本部署的层级"),
    ("not a level of this store", "不是本库的层级"),
    (
        "not a level of this store (levels: {})",
        "不是本库的层级（层级：{}）",
    ),
    (
        "not a member of household {} that day",
        "当日不是户 {} 的成员",
    ),
    (
        "not a page cursor (the `next` of a page)",
        "不是分页游标（应为某页的 `next`）",
    ),
    (
        "not a tag kind of this store (define it first)",
        "不是本库的标签种类（请先定义）",
    ),
    ("not a unit above {} on {}", "在 {1} 不是 {0} 的上级单位"),
    ("not a valid unit code", "不是有效的单位编码"),
    ("not an XLSX workbook: {}", "不是 XLSX 工作簿：{}"),
    ("not one of the rules' books", "不是规则中的台账"),
    ("out of range", "超出范围"),
    (
        "parent unit {} did not exist on that day",
        "上级单位 {} 当日不存在",
    ),
    (
        "region: {} is not a province-level code",
        "地区：{} 不是省级代码",
    ),
    ("required", "必填"),
    (
        "resident {} has moves recorded after {}",
        "居民 {} 在 {} 之后有迁移记录",
    ),
    (
        "sign_for and start need a staff member",
        "sign_for 和 start 需要指定工作人员",
    ),
    ("staff id {} already exists", "工作人员编号 {} 已存在"),
    (
        "staff {} is assigned outside the scope of {} (actor {})",
        "工作人员 {} 的岗位分配超出 {} 的范围（操作人 {}）",
    ),
    (
        "staff {} works outside the scope of {}",
        "工作人员 {} 在 {} 的范围之外工作",
    ),
    ("store is closed", "库已关闭"),
    ("stored levels are unreadable: {}", "库中的层级无法读取：{}"),
    ("that year has no such ISO week", "该年没有这一 ISO 周"),
    (
        "the busy time is 0 to {} milliseconds",
        "忙等时间为 0 到 {} 毫秒",
    ),
    (
        "the category of urgent entries is not one of the rules' categories",
        "紧急事项的类别不在规则的类别之中",
    ),
    (
        "the column {} is mapped to no column name",
        "列 {} 未映射到任何列名",
    ),
    (
        "the column {} is mapped to no field: expected one of {}",
        "列 {} 未映射到任何字段：应为以下之一：{}",
    ),
    (
        "the columns name fewer than two fields: expected {}",
        "列名中可识别的字段少于两个：应为 {}",
    ),
    (
        "the file is neither UTF-8 nor valid GBK/GB18030",
        "文件既不是 UTF-8，也不是有效的 GBK/GB18030",
    ),
    (
        "the file is not valid UTF-8 ({})",
        "文件不是有效的 UTF-8（{}）",
    ),
    (
        "the import was cancelled by its progress callback; nothing was written",
        "导入已被进度回调取消；未写入任何内容",
    ),
    ("the import was rejected", "导入被拒绝"),
    ("the path of the store is empty", "库的路径为空"),
    (
        "the report of {} for {} cannot be approved: {}",
        "{} {} 的报表无法审核通过：{}",
    ),
    (
        "the report of {} for {} is already approved",
        "{} {} 的报表已审核通过",
    ),
    (
        "the report of {} for {} was approved and is locked",
        "{} {} 的报表已审核通过并锁定",
    ),
    (
        "the report of {} is approved by the level above, not by {} itself (actor {})",
        "{} 的报表由上级审核，而不是由 {} 自己审核（操作人 {}）",
    ),
    ("the resident was already satisfied", "居民已表示满意"),
    ("the source has no row there", "来源在该处没有行"),
    (
        "the store was rekeyed, but the earlier values could not be cleared from its free space and journal ({}): call rekey again once the file is free",
        "库已更换密钥，但旧值未能从空闲空间和日志中清除（{}）：待文件空闲后请再次调用 rekey",
    ),
    (
        "the store's deployment key was changed through another handle since this one was opened: open it again with its key; nothing was written",
        "本句柄打开后，库的部署密钥已通过另一句柄更改：请用新密钥重新打开；未写入任何内容",
    ),
    (
        "the store's key salt or key check is missing: it was changed outside the library",
        "库的密钥盐或密钥校验缺失：它在本库之外被改动",
    ),
    (
        "the value of {} is not text, null or a list of texts",
        "{} 的值不是文本、null 或文本列表",
    ),
    ("the workbook has no sheet", "工作簿中没有工作表"),
    ("the year is not a year", "年份无效"),
    (
        "there is no month {} (months are 1 to 12)",
        "没有 {} 月（月份为 1 到 12）",
    ),
    (
        "there is no {} {} (a year has {}s 1 to {})",
        "没有 {} {}（一年中的 {} 为 1 到 {}）",
    ),
    (
        "this store holds sealed values but no key check: it was changed outside the library",
        "本库含有加密值却没有密钥校验：它在本库之外被改动",
    ),
    (
        "this store was created with UTC offset {} minutes, not {}",
        "本库创建时的 UTC 偏移为 {} 分钟，而不是 {}",
    ),
    (
        "this store was created with levels {}; levels can only be chosen when a store is created",
        "本库创建时的层级为 {}；层级只能在创建库时选定",
    ),
    (
        "this store was opened read-only; nothing was written (actor {})",
        "本库以只读方式打开；未写入任何内容（操作人 {}）",
    ),
    ("two categories have this name", "有两个类别同名"),
    ("two rules have this name", "有两条规则同名"),
    ("unit code {} already exists", "单位编码 {} 已存在"),
    ("unit {} did not exist on that day", "单位 {} 当日不存在"),
    (
        "unit {} has changes recorded from {}, after {}",
        "单位 {} 自 {} 起（晚于 {}）有变更记录",
    ),
    (
        "unit {} is already retired from {}",
        "单位 {} 已自 {} 起撤销",
    ),
    (
        "unit {} is outside the scope of {} (actor {})",
        "单位 {} 超出 {} 的范围（操作人 {}）",
    ),
    ("unit {} starts on that day", "单位 {} 当日才设立"),
    (
        "unit {} still has unit {} under it on or after {}; retire or move it first",
        "单位 {} 在 {2} 或之后仍有下级单位 {1}；请先撤销或迁移该单位",
    ),
    ("unknown key (expected {})", "未知的键（应为 {}）"),
    (
        "urgent category {} not in its rules",
        "紧急类别 {} 不在其规则中",
    ),
    (
        "verify needs whether the resident was satisfied",
        "核实需说明居民是否满意",
    ),
    (
        "{} already carries tag {} from {} over those days",
        "{0} 在这些日期已带有自 {2} 起的标签 {1}",
    ),
    (
        "{} has no deployment key: open it without one and call rekey to encrypt it; it was not opened or changed",
        "{} 没有部署密钥：请不带密钥打开并调用 rekey 加密；未打开也未改动",
    ),
    (
        "{} is a SQLite database but not a wangge store (application id {}, schema version {}); it was not changed",
        "{} 是 SQLite 数据库，但不是 wangge 库（application id {}，schema 版本 {}）；未改动",
    ),
    (
        "{} is a {}, which belongs to no {} (ask which {}s are inside it)",
        "{} 是 {}，不属于任何 {}（请查询其中包含哪些 {}）",
    ),
    (
        "{} is a {}, which holds no {}s (ask which {} it belongs to)",
        "{} 是 {}，不包含 {}（请查询它属于哪个 {}）",
    ),
    (
        "{} is both a holiday and a make-up day",
        "{} 既是假日又是调休补班日",
    ),
    (
        "{} is encrypted with a deployment key: open it with its key; it was not opened or changed",
        "{} 已用部署密钥加密：请用其密钥打开；未打开也未改动",
    ),
    (
        "{} is encrypted with another deployment key: it was not opened or changed",
        "{} 用另一部署密钥加密：未打开也未改动",
    ),
    (
        "{} is moved or retired on {}; a unit can only be moved under a parent that stays put",
        "{} 于 {} 被迁移或撤销；单位只能迁到不变动的上级之下",
    ),
    (
        "{} is not a SQLite database: {}",
        "{} 不是 SQLite 数据库：{}",
    ),
    (
        "{} is not a wangge store of the current schema (version {} of {}): a read-only open cannot migrate it; it was not changed",
        "{} 不是当前 schema 的 wangge 库（版本 {}，当前 {}）：只读打开无法迁移；未改动",
    ),
    (
        "{} is outside the scope of {} (actor {})",
        "{} 超出 {} 的范围（操作人 {}）",
    ),
    (
        "{} is read-only for this process (permission denied): open it with read_only to read it; it was not changed",
        "{} 对本进程只读（权限不足）：请以 read_only 打开读取；未改动",
    ),
    ("{} is {}, not {}", "{} 应为 {}，而不是 {}"),
    (
        "{} was written by a newer wangge (schema version {}; this library knows up to {}); it was not opened or changed",
        "{} 由更新版本的 wangge 写入（schema 版本 {}；本库最高支持 {}）；未打开也未改动",
    ),
    ("{}-{} has no day {}", "{}-{} 没有 {} 日"),
    (
        "{}: another connection held the store's write lock for the whole busy time (busy_timeout_ms); nothing was written, retry later",
        "{}：另一连接在整个忙等时间（busy_timeout_ms）内占用写锁；未写入任何内容，请稍后重试",
    ),
    (
        "{}: the stored key salt is unreadable",
        "{}：库中的密钥盐无法读取",
    ),
    ("action {} of the batch", "批量中的第 {} 项操作"),
    ("entry {} of the batch", "批量中的第 {} 个事项"),
    ("visit {} of the batch", "批量中的第 {} 次走访"),
    ("{} {} of the batch", "批量中的第 {1} 个 {0}"),
    ("row {}", "第 {} 行"),
    ("at most {} characters", "最多 {} 个字符"),
    ("{} to {} characters", "{} 到 {} 个字符"),
];

/// (English, Chinese) for what a `NotFound` error looked for.
pub(crate) const WHATS: &[(&str, &str)] = &[
    ("assignment", "岗位分配"),
    ("entry", "台账事项"),
    ("finding", "发现问题"),
    ("household", "户"),
    ("parent unit", "上级单位"),
    ("resident", "居民"),
    ("staff", "工作人员"),
    ("submission", "报表"),
    ("tag", "标签"),
    ("unit", "单位"),
    ("visit", "走访记录"),
    ("working-day calendar for year", "工作日历，年份"),
];

/// What a `NotFound` error looked for, in Chinese; the English word when it has no entry.
pub(crate) fn what(english: &str) -> &str {
    WHATS
        .iter()
        .find(|(e, _)| *e == english)
        .map_or(english, |(_, zh)| zh)
}
