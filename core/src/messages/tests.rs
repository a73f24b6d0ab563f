use std::path::Path;

use super::*;
use crate::ErrorKind;

/// Constructors and helpers that take a reason, with the index of the argument that
/// holds it (for `Error::not_found`, what was looked for).
const TAKES_REASON: [(&str, usize); 12] = [
    ("Error::invalid(", 2),
    ("Error::Conflict(", 0),
    ("Error::InvalidTransition(", 0),
    ("Error::PermissionDenied(", 0),
    ("Error::Storage(", 0),
    ("Error::Busy(", 0),
    ("Error::not_found(", 0),
    ("wrong(", 1),
    ("withheld(", 1),
    ("bad(", 0),
    ("refuse(", 0),
    ("unreadable(", 0),
];

/// The end of the string literal that starts at `start` (a `"`), just after it.
fn literal_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() && bytes[i] != b'"' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    i + 1
}

/// The top-level arguments of the call whose `(` ends just before `start`.
fn call_args(source: &str, start: usize) -> Vec<&str> {
    let bytes = source.as_bytes();
    let (mut depth, mut i, mut from) = (0usize, start, start);
    let mut args = Vec::new();
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i = literal_end(bytes, i);
                continue;
            }
            b'\'' if bytes.get(i + 2) == Some(&b'\'') => i += 2,
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => {
                args.push(source[from..i].trim());
                return args;
            }
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => {
                args.push(source[from..i].trim());
                from = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    args
}

/// The text of a Rust string literal (escapes and line continuations undone).
fn unescape(literal: &str) -> String {
    let mut out = String::new();
    let mut chars = literal.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('\n') => while chars.next_if(|c| c.is_whitespace()).is_some() {},
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// A format string's text with each argument as `{}` and `{{`, `}}` as braces.
fn format_pattern(format: &str) -> String {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.next_if_eq(&'{').is_some() => out.push('{'),
            '}' if chars.next_if_eq(&'}').is_some() => out.push('}'),
            '{' => {
                while chars.next().is_some_and(|c| c != '}') {}
                out.push_str("{}");
            }
            c => out.push(c),
        }
    }
    out
}

/// The reason pattern an argument writes: a literal, a `format!` string or a string
/// constant; `None` for anything computed (a variable, another error's text).
fn reason_pattern(arg: &str, constants: &str) -> Option<String> {
    let arg = arg.trim_start_matches('&');
    if let Some(rest) = arg.strip_prefix("format!(") {
        let rest = rest.trim_start();
        let end = literal_end(rest.as_bytes(), 0);
        return Some(format_pattern(&unescape(&rest[1..end - 1])));
    }
    if arg.starts_with('"') {
        let end = literal_end(arg.as_bytes(), 0);
        return Some(unescape(&arg[1..end - 1]));
    }
    let name = arg.trim_end_matches(".to_owned()").rsplit("::").next()?;
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
        let at = constants.find(&format!("const {name}: &str ="))?;
        let start = at + constants[at..].find('"')?;
        let end = literal_end(constants.as_bytes(), start);
        return Some(unescape(&constants[start + 1..end - 1]));
    }
    None
}

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if !path.ends_with("messages") {
                sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
}

#[test]
fn every_reason_written_in_the_core_has_a_chinese_form() {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let constants: String = files.iter().map(|(_, s)| s.as_str()).collect();
    let (mut checked, mut missing) = (0, Vec::new());
    for (path, source) in &files {
        for (call, index) in TAKES_REASON {
            for (at, _) in source.match_indices(call) {
                let before = source[..at].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                let args = call_args(source, at + call.len());
                let Some(pattern) = args.get(index).and_then(|a| reason_pattern(a, &constants))
                else {
                    continue;
                };
                checked += 1;
                // Where an error arose, appended by `Error::context`: rendered in halves.
                let known = if pattern == "{} ({})" {
                    true
                } else if call == "Error::not_found(" {
                    zh::WHATS.iter().any(|(e, _)| *e == pattern)
                } else {
                    zh::REASONS.iter().any(|(e, _)| *e == pattern)
                };
                if !known {
                    missing.push(format!("{path}: {pattern}"));
                }
            }
        }
    }
    assert!(
        checked > 250,
        "only {checked} reasons found: the scan is broken"
    );
    assert!(
        missing.is_empty(),
        "no Chinese form for:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_chinese_form_uses_each_part_of_its_english_one() {
    for (english, chinese) in zh::REASONS {
        let parts = english.matches("{}").count();
        let sample: Vec<String> = (0..parts).map(|i| format!("⟨{i}⟩")).collect();
        let refs: Vec<&str> = sample.iter().map(String::as_str).collect();
        let filled = fill(chinese, &refs);
        for part in &sample {
            assert!(
                filled.contains(part.as_str()),
                "{english} → {chinese}: {part}"
            );
        }
        assert!(!filled.contains("{}"), "{chinese}");
    }
}

#[test]
fn chinese_keeps_the_field_and_value_of_invalid_input() {
    let error = crate::text::check_len("household_id", "", 1, 64).unwrap_err();
    let english = error.message(Language::En);
    let chinese = error.message(Language::Zh);
    assert_eq!(english, error.to_string());
    assert_eq!(
        english,
        "invalid household_id \"\": household_id is 1 to 64 characters, not 0"
    );
    assert_eq!(
        chinese,
        "household_id 无效 \"\"：household_id 应为 1 到 64 个字符，而不是 0"
    );
    let error = Error::invalid("channel", "fax", "expected home or phone");
    assert_eq!(
        error.message(Language::Zh),
        "channel 无效 \"fax\"：应为 home 或 phone"
    );
    for message in [error.message(Language::En), error.message(Language::Zh)] {
        assert!(message.contains("channel") && message.contains("\"fax\""));
    }
}

#[test]
fn chinese_renders_each_kind_with_its_heading_and_dynamic_parts() {
    let cases = [
        (
            Error::not_found("unit", "512021999"),
            "未找到单位：512021999",
        ),
        (
            Error::Conflict("unit code 512021 already exists".into()),
            "冲突：单位编码 512021 已存在",
        ),
        (
            Error::Conflict(
                "locked: a visit in a period whose report was approved (visit 3 of the batch)"
                    .into(),
            ),
            "冲突：已锁定：该走访所在期间的报表已审核通过（批量中的第 3 次走访）",
        ),
        (
            Error::PermissionDenied(
                "unit 512022 is outside the scope of 512021 (actor 张三)".into(),
            ),
            "无权限：单位 512022 超出 512021 的范围（操作人 张三）",
        ),
        (
            Error::InvalidTransition(
                "cannot close entry 7: it is registered (allowed when resolved)".into(),
            ),
            "状态不允许：无法对事项 7 执行“注销”：当前为“已登记”（仅在“已办结”时允许）",
        ),
        (
            Error::Storage("store is closed".into()),
            "存储错误：库已关闭",
        ),
    ];
    for (error, chinese) in cases {
        assert_eq!(error.message(Language::Zh), chinese, "{error}");
        assert!(chinese.starts_with(kind_heading_zh(error.kind())));
    }
    assert_eq!(kind_heading_zh(ErrorKind::Busy), "繁忙");
}

#[test]
fn actions_and_statuses_show_by_their_chinese_names_where_a_form_asks_for_it() {
    let error = Error::InvalidTransition(
        "cannot sign_for entry 6383: it is closed (allowed when registered or in_progress)".into(),
    );
    assert_eq!(
        error.message(Language::Zh),
        "状态不允许：无法对事项 6383 执行“签收”：当前为“已注销”（仅在“已登记”或“办理中”时允许）"
    );
    // Only there: a value echoed back stays as it was given, whatever it reads like.
    let error = Error::invalid("channel", "close", "expected home or phone");
    assert!(error.message(Language::Zh).contains("\"close\""));
    // A name the tables do not know is shown as it is.
    assert_eq!(named("action", "fly"), "“fly”");
    assert_eq!(named("statuses", "a or resolved"), "“a”或“已办结”");
}

#[test]
fn a_reason_with_its_place_appended_is_rendered_in_both_halves() {
    let error =
        Error::invalid("channel", "fax", "expected home or phone").context("visit 3 of the batch");
    assert_eq!(
        error.message(Language::Zh),
        "channel 无效 \"fax\"：应为 home 或 phone（批量中的第 3 次走访）"
    );
    let error =
        Error::invalid("channel", "fax", "expected home or phone").context("action 2 of batch 1");
    assert_eq!(
        error.message(Language::Zh),
        "channel 无效 \"fax\"：应为 home 或 phone（第 1 批中的第 2 项操作）"
    );
    let error = Error::invalid("unit", "x", "missing columns: a, b").context("row 4");
    assert_eq!(
        error.message(Language::Zh),
        "unit 无效 \"x\"：缺少列：a, b（第 4 行）"
    );
}

#[test]
fn a_reason_the_table_does_not_know_stays_in_english() {
    let error = Error::Storage("disk I/O error".into());
    assert_eq!(error.message(Language::Zh), "存储错误：disk I/O error");
}

#[test]
fn a_language_is_en_or_zh() {
    assert_eq!(Language::parse("zh").unwrap(), Language::Zh);
    assert_eq!(Language::parse("en").unwrap(), Language::En);
    assert_eq!(Language::default(), Language::En);
    let error = Language::parse("中文").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(error.to_string().starts_with("invalid language \"中文\""));
}

#[test]
fn patterns_match_the_shortest_parts_that_let_the_rest_match() {
    assert_eq!(
        match_pattern("{} {} of the batch", "finding 2 of the batch"),
        Some(vec!["finding", "2"])
    );
    assert_eq!(match_pattern("required", "required"), Some(vec![]));
    assert_eq!(match_pattern("required", "required!"), None);
    assert_eq!(
        match_pattern("line {}: {}", "line 3: a: b"),
        Some(vec!["3", "a: b"])
    );
}
