//! Resident ID numbers (居民身份证号码, GB 11643-1999).
//!
//! An 18-character number: a 6-digit region code, the birth date as `YYYYMMDD`, a 3-digit
//! sequence (odd for men, even for women) and an ISO 7064 MOD 11-2 check character, a
//! digit or `X`. A 15-digit number of the first generation (birth year in two digits, no
//! check character) is upgraded to 18 and flagged.

use serde::Serialize;

use crate::date::Date;
use crate::error::{Error, Result};

/// Sex as the ID number's sequence says (odd: male).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男.
    Male,
    /// 女.
    Female,
}

impl Sex {
    /// `male` or `female`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// A checked ID number and what it tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber {
    /// The 18-character number, `X` upper-case.
    pub number: String,
    /// The birth date it encodes.
    pub birth_date: Date,
    /// The sex its sequence encodes.
    pub sex: Sex,
    /// True when it was given as a 15-digit first-generation number and upgraded.
    pub upgraded: bool,
}

/// Province-level codes that begin a real region code.
const PROVINCES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82", "83",
];

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [u8; 11] = *b"10X98765432";

/// The MOD 11-2 check character of the first 17 digits.
fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

/// Completes the first 17 digits of an ID number with their check character, for
/// building test and demonstration data; `None` unless `first17` is 17 ASCII digits. The
/// result is only valid if the region and birth date are.
///
/// ```
/// assert_eq!(wangge::id_number::with_check_digit("11010519491231002").as_deref(), Some("11010519491231002X"));
/// ```
pub fn with_check_digit(first17: &str) -> Option<String> {
    let bytes = first17.as_bytes();
    (bytes.len() == 17 && bytes.iter().all(u8::is_ascii_digit))
        .then(|| format!("{first17}{}", char::from(check_char(bytes))))
}

/// Masks an ID number as `510123**********20`: the region (6 digits) and the last 2 (the
/// sex digit and the check character) stay. The 8 digits of the birth date and 2 of the
/// sequence stay hidden, so even an onlooker who knows the birth year has over 3,000
/// valid numbers left (see [`crate::Resident`]). Text of 8 characters or fewer is hidden
/// whole.
pub fn mask_id_number(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let n = chars.len();
    if n <= 8 {
        return "*".repeat(n);
    }
    chars[..6]
        .iter()
        .copied()
        .chain(std::iter::repeat_n('*', n - 8))
        .chain(chars[n - 2..].iter().copied())
        .collect()
}

fn wrong(text: &str, reason: impl Into<String>) -> Error {
    Error::invalid("id_number", mask_id_number(text), reason)
}

/// Checks an ID number given on `registered_on` (its birth date may not be later) and
/// says, when it is wrong, which part: length, characters, region, birth date or check
/// character. A lower-case `x` is accepted; a 15-digit number is upgraded.
pub fn parse_id_number(text: &str, registered_on: Date) -> Result<IdNumber> {
    let trimmed = text.trim();
    let (number, upgraded) = match trimmed.len() {
        18 => (trimmed.to_ascii_uppercase(), false),
        15 => {
            if !trimmed.bytes().all(|b| b.is_ascii_digit()) {
                return Err(wrong(text, "a 15-digit ID number has only digits"));
            }
            let mut first17 = format!("{}19{}", &trimmed[..6], &trimmed[6..]);
            let check = check_char(first17.as_bytes());
            first17.push(check as char);
            (first17, true)
        }
        n => {
            return Err(wrong(
                text,
                format!("length: an ID number has 18 characters (or 15 for the old kind), not {n}"),
            ));
        }
    };
    let bytes = number.as_bytes();
    if !bytes[..17].iter().all(u8::is_ascii_digit)
        || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
    {
        return Err(wrong(text, "characters: 17 digits then a digit or X"));
    }
    if !PROVINCES.contains(&&number[..2]) {
        return Err(wrong(
            text,
            format!("region: {} is not a province-level code", &number[..2]),
        ));
    }
    // Digits 7 to 14 are YYYYMMDD; they are ASCII digits, checked above.
    let digits = |range: std::ops::Range<usize>| {
        bytes[range]
            .iter()
            .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))
    };
    let birth = (digits(6..10) >= 1850)
        .then(|| Date::from_ymd_opt(digits(6..10) as i32, digits(10..12), digits(12..14)))
        .flatten()
        .ok_or_else(|| {
            wrong(
                text,
                "birth date: digits 7 to 14 are not a real date".to_owned(),
            )
        })?;
    if birth > registered_on {
        return Err(wrong(
            text,
            format!("birth date: it is after the registration date {registered_on}"),
        ));
    }
    if !upgraded && check_char(&bytes[..17]) != bytes[17] {
        return Err(wrong(
            text,
            "check digit: it does not match the other 17 (ISO 7064 MOD 11-2)",
        ));
    }
    let sex = if (bytes[16] - b'0') % 2 == 1 {
        Sex::Male
    } else {
        Sex::Female
    };
    Ok(IdNumber {
        number,
        birth_date: birth,
        sex,
        upgraded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        crate::date::parse_date("day", text).unwrap()
    }

    #[test]
    fn a_valid_number_gives_birth_date_and_sex() {
        let id = parse_id_number("11010519491231002X", day("2024-01-01")).unwrap();
        assert_eq!(id.birth_date, day("1949-12-31"));
        assert_eq!(id.sex, Sex::Female);
        assert!(!id.upgraded);
        let id = parse_id_number("440524188001010014", day("2024-01-01")).unwrap();
        assert_eq!(id.sex, Sex::Male);
        assert_eq!(id.birth_date, day("1880-01-01"));
    }

    #[test]
    fn a_lower_case_x_is_normalised() {
        let id = parse_id_number("11010519491231002x", day("2024-01-01")).unwrap();
        assert_eq!(id.number, "11010519491231002X");
    }

    #[test]
    fn each_wrong_part_is_named_and_the_number_masked() {
        let on = day("2024-01-01");
        let cases = [
            ("1101051949123100", "length"),
            ("11010519491231002Y", "characters"),
            ("99010519491231002X", "region"),
            ("110105194913310029", "birth date"),
            ("110105194912310021", "check digit"),
        ];
        for (number, part) in cases {
            let err = parse_id_number(number, on).unwrap_err().to_string();
            assert!(err.contains(part), "{number}: {err}");
            assert!(!err.contains(number), "the message masks the number: {err}");
        }
        let future = parse_id_number("11010520250101001X", on)
            .unwrap_err()
            .to_string();
        assert!(future.contains("after the registration date"), "{future}");
    }

    #[test]
    fn a_fifteen_digit_number_is_upgraded_and_flagged() {
        // 110105491231002 is the first-generation form of 11010519491231002X.
        let id = parse_id_number("110105491231002", day("2024-01-01")).unwrap();
        assert_eq!(id.number, "11010519491231002X");
        assert!(id.upgraded);
    }

    #[test]
    fn masking_keeps_region_and_last_four() {
        assert_eq!(mask_id_number("510123199001011234"), "510123**********34");
        assert_eq!(mask_id_number("12345"), "*****");
    }
}
