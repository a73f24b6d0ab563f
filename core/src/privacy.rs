//! Masking of personal information (个人信息) for every export and listing.

/// Masks a phone number as `138****5678`: the first three and last four digits stay.
/// Shorter numbers keep only their last two characters.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let n = chars.len();
    if n >= 8 {
        chars[..3]
            .iter()
            .chain(std::iter::repeat_n(&'*', n - 7))
            .chain(&chars[n - 4..])
            .collect()
    } else {
        let keep = n.min(2);
        std::iter::repeat_n('*', n - keep)
            .chain(chars[n - keep..].iter().copied())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers_keep_three_and_four_digits() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("028-12345678"), "028*****5678");
        assert_eq!(mask_phone("12345"), "***45");
        assert_eq!(mask_phone(""), "");
    }
}
