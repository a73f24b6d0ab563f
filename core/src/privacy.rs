//! Masking of personal information (个人信息) for every record, export and message.
//!
//! A masked value must not be completable from what is shown with it. For phones the rule
//! is on the digits alone: an 11-digit mobile (starting with `1`) keeps its first 3 and
//! last 4 digits (`138****5678`); any other number keeps at most its last 4 digits and
//! always hides at least 4, so a number of `n` digits keeps its last `min(4, n - 4)`
//! (`85551234` → `****1234`, `5551234` → `****234`, `1234` → `****`). Separators (`-`,
//! `+`, spaces) are left out of the mask, so `028-85551234` shows as `*******1234`.
//! ID numbers are masked by [`crate::id_number::mask_id_number`]; what a resident record
//! shows with one is described on [`crate::Resident`].

/// Digits a masked phone always hides.
const PHONE_HIDDEN_AT_LEAST: usize = 4;

/// Masks a phone number by the rule of this module: `138****5678` for a mobile,
/// `****1234` for an 8-digit landline, never fewer than 4 digits hidden.
///
/// ```
/// use wangge::privacy::mask_phone;
/// assert_eq!(mask_phone("13812345678"), "138****5678");
/// assert_eq!(mask_phone("85551234"), "****1234");
/// assert_eq!(mask_phone("5551234"), "****234");
/// ```
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let n = digits.len();
    let (head, tail) = if n == 11 && digits[0] == '1' {
        (3, 4)
    } else {
        (0, n.saturating_sub(PHONE_HIDDEN_AT_LEAST).min(4))
    };
    digits[..head]
        .iter()
        .copied()
        .chain(std::iter::repeat_n('*', n - head - tail))
        .chain(digits[n - tail..].iter().copied())
        .collect()
}
