//! The rules every piece of text given to the library follows: how long it may be, and how
//! much of a refused value a message shows back.

use std::path::Path;

use crate::error::{Error, Result};

/// The most characters of a caller's value an error message shows; a longer value is cut
/// there and its length given instead of the rest.
pub const ECHO_MAX: usize = 200;

/// The longest free text (a note, a reason, a result, a summary), in characters.
pub const LONG_TEXT_MAX: usize = 2000;

/// `value` as an error message may show it: whole when it is at most [`ECHO_MAX`]
/// characters, else its first [`ECHO_MAX`] characters, `…` and its length.
pub fn clip(value: &str) -> String {
    clip_to(value, ECHO_MAX)
}

/// `value` cut to its first `max` characters, then `…` and its length, when it is longer;
/// for a message that shows two parts of one input and must keep their sum to [`ECHO_MAX`].
pub fn clip_to(value: &str, max: usize) -> String {
    match value.char_indices().nth(max) {
        None => value.to_owned(),
        Some((cut, _)) => format!("{}… ({} characters)", &value[..cut], value.chars().count()),
    }
}

/// Checks that `value`, the argument `field`, is at most `max` characters long and, when
/// `min` is above 0, has at least `min` characters other than white space at its ends;
/// and that it holds no control character ([`check_controls`]): free text of up to
/// [`LONG_TEXT_MAX`] characters may break lines and hold tabs, other text may not. A
/// refusal is `InvalidInput` naming `field`.
pub fn check_len(field: &'static str, value: &str, min: usize, max: usize) -> Result<()> {
    check_controls(field, value, max >= LONG_TEXT_MAX)?;
    let length = value.chars().count();
    let kept = if min == 0 {
        length
    } else {
        value.trim().chars().count()
    };
    if length > max || kept < min {
        let range = if min == 0 {
            format!("at most {max} characters")
        } else {
            format!("{min} to {max} characters")
        };
        return Err(Error::invalid(
            field,
            value,
            format!("{field} is {range}, not {length}"),
        ));
    }
    Ok(())
}

/// Checks that `value`, the argument `field`, holds no control character (Unicode's
/// `Cc`: U+0000 to U+001F, U+007F to U+009F) but, when `lines`, tabs and line breaks: a
/// NUL would cut the text short wherever a C program reads it, and the others show as
/// nothing or garble a table, so that two values that look alike would differ. A refusal
/// is `InvalidInput` naming `field` and the character.
pub fn check_controls(field: &'static str, value: &str, lines: bool) -> Result<()> {
    match first_control(value, lines) {
        Some(c) => Err(Error::invalid(
            field,
            value,
            format!("{field} holds a control character (U+{:04X})", u32::from(c)),
        )),
        None => Ok(()),
    }
}

/// The first control character of `value` that [`check_controls`] refuses, if any.
pub(crate) fn first_control(value: &str, lines: bool) -> Option<char> {
    let allowed = |c: char| lines && matches!(c, '\t' | '\n' | '\r');
    value.chars().find(|&c| c.is_control() && !allowed(c))
}

/// Checks that `path`, the argument `field`, can name a file the library is to create or
/// open: not empty (which would mean the process's working directory; refused with the
/// reason `empty`) and without a NUL character, which no file name holds (the system would
/// be handed the path cut short there). A refusal is `InvalidInput` naming `field`.
pub(crate) fn check_path(field: &'static str, path: &Path, empty: &'static str) -> Result<()> {
    let bytes = path.as_os_str().as_encoded_bytes();
    if bytes.is_empty() {
        return Err(Error::invalid(field, "", empty));
    }
    if bytes.contains(&0) {
        return Err(Error::invalid(
            field,
            path.display(),
            "the path holds a NUL character, which no file name can",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_short_values_and_cuts_long_ones() {
        assert_eq!(clip("岳阳镇"), "岳阳镇");
        let long = "字".repeat(ECHO_MAX + 5);
        let clipped = clip(&long);
        assert!(clipped.starts_with(&"字".repeat(ECHO_MAX)));
        assert!(clipped.ends_with(&format!("… ({} characters)", ECHO_MAX + 5)));
    }

    #[test]
    fn check_len_counts_characters_and_refuses_blank_text() {
        assert!(check_len("note", "", 0, 5).is_ok());
        assert!(check_len("reason", "  ", 1, 5).is_err());
        assert!(check_len("reason", "五个汉字啊", 1, 5).is_ok());
        let err = check_len("reason", "六个汉字啊啊", 1, 5).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("reason is 1 to 5 characters"));
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_in_free_text() {
        for bad in ["北坝\0号", "a\u{7}", "\u{1b}[31m", "x\u{7f}", "\u{85}"] {
            let err = check_len("address", bad, 1, 200).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
            assert!(
                err.to_string()
                    .contains("address holds a control character"),
                "{err}"
            );
        }
        assert!(check_len("name", "张\t三", 1, 100).is_err());
        assert!(check_len("note", "第一行\n第二行\t完", 0, LONG_TEXT_MAX).is_ok());
        assert!(check_len("note", "响铃\u{7}", 0, LONG_TEXT_MAX).is_err());
        let err = check_len("name", "\0", 1, 100).unwrap_err();
        assert!(err.to_string().contains("(U+0000)"), "{err}");
    }
}
