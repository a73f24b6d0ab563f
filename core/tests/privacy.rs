//! Masks that cannot be completed: what a resident record shows, with its household,
//! leaves at least 1,000 clear ID numbers possible, and phones hide at least 4 digits.

mod common;
use common::{county, d, resident};
use serde_json::{Value, json};
use std::sync::OnceLock;
use wangge::id_number::{parse_id_number, with_check_digit};
use wangge::privacy::mask_phone;

use chrono::Datelike;
use wangge::{Date, Store};

const AT_LEAST: usize = 1_000;

/// Keys of a resident record that say nothing about the ID number's digits.
const RESIDENT_KEYS_WITHOUT_ID_DIGITS: &[&str] = &[
    "resident_id",
    "household_id",
    "name",
    "id_upgraded",
    "phone",
    "hukou",
    "employer",
    "relation",
    "tags",
];
/// Keys of a household record that say nothing about its residents' ID digits.
const HOUSEHOLD_KEYS_WITHOUT_ID_DIGITS: &[&str] = &[
    "household_id",
    "unit",
    "address",
    "kind",
    "tags",
    "household_class",
    "start",
    "end",
    "verified",
];

/// Counts the valid 18-digit ID numbers on `as_of` consistent with everything a resident
/// record and its household's record show: the visible digits of the masked number, the
/// sex, and the birth date when one is shown; `born` narrows the birth dates further, for
/// what an onlooker may know besides (a tag that implies an age, say). A key the count
/// does not know fails, so a new field must be accounted for here before it can ship.
fn candidates(
    resident: &Value,
    household: &Value,
    as_of: Date,
    born: Option<(Date, Date)>,
) -> usize {
    for key in household.as_object().unwrap().keys() {
        assert!(
            HOUSEHOLD_KEYS_WITHOUT_ID_DIGITS.contains(&key.as_str()),
            "household key {key} is not accounted for"
        );
    }
    let mut birth_date = None;
    for (key, value) in resident.as_object().unwrap() {
        match key.as_str() {
            "id_number" | "sex" => {}
            "birth_date" => birth_date = value.as_str().map(d),
            other => assert!(
                RESIDENT_KEYS_WITHOUT_ID_DIGITS.contains(&other),
                "resident key {other} is not accounted for"
            ),
        }
    }
    let masked: Vec<u8> = resident["id_number"].as_str().unwrap().bytes().collect();
    assert_eq!(masked.len(), 18);
    let hidden_outside_date: Vec<usize> = (0..17)
        .filter(|&i| masked[i] == b'*' && !(6..14).contains(&i))
        .collect();
    assert!(hidden_outside_date.len() <= 4, "too many to enumerate");
    let fills = 10usize.pow(hidden_outside_date.len() as u32);
    let male = match resident["sex"].as_str() {
        Some("male") => Some(true),
        Some("female") => Some(false),
        _ => None,
    };
    // How many fills of the hidden digits outside the date give each weighted sum mod 11.
    let mut by_residue = [0usize; 11];
    for fill in 0..fills {
        let mut digits = [b'0'; 17];
        digits.copy_from_slice(&masked[..17]);
        let mut rest = fill;
        for &i in &hidden_outside_date {
            digits[i] = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        if male.is_some_and(|m| ((digits[16] - b'0') % 2 == 1) != m) {
            continue;
        }
        let sum: u32 = hidden_outside_date
            .iter()
            .map(|&i| u32::from(digits[i] - b'0') * WEIGHTS[i])
            .sum();
        by_residue[(sum % 11) as usize] += 1;
    }
    let mut region_checked = false;
    let mut count = 0;
    for (day, date_digits, real) in days_until(as_of) {
        if !real
            || birth_date.is_some_and(|b| b != *day)
            || born.is_some_and(|(first, last)| *day < first || *day > last)
            || (6..14).any(|i| masked[i] != b'*' && masked[i] != date_digits[i - 6])
        {
            continue;
        }
        let mut digits = [b'0'; 17];
        for i in (0..17).filter(|i| !hidden_outside_date.contains(i)) {
            digits[i] = if (6..14).contains(&i) {
                date_digits[i - 6]
            } else {
                masked[i]
            };
        }
        if !region_checked {
            // The region does not change with the day: the library's own check of one
            // full candidate says it is a region an ID number can have.
            let mut number = digits.to_vec();
            number.push(check_character(&digits));
            assert!(parse_id_number(std::str::from_utf8(&number).unwrap(), as_of).is_ok());
            region_checked = true;
        }
        let base: u32 = digits
            .iter()
            .zip(WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        for (residue, n) in by_residue.iter().enumerate() {
            let check = CHECK_CHARACTERS[((base + residue as u32) % 11) as usize];
            if masked[17] == b'*' || masked[17] == check {
                count += n;
            }
        }
    }
    count
}

/// Every day from 1850 (the earliest birth year an ID number may give) to `as_of`, with
/// its eight digits as an ID number writes them and whether the library takes it as a
/// birth date.
fn days_until(as_of: Date) -> impl Iterator<Item = &'static (Date, [u8; 8], bool)> {
    static DAYS: OnceLock<Vec<(Date, [u8; 8], bool)>> = OnceLock::new();
    DAYS.get_or_init(|| {
        let mut days = Vec::new();
        let mut day = d("1850-01-01");
        while day <= d("2100-12-31") {
            let text = format!("{:04}{:02}{:02}", day.year(), day.month(), day.day());
            let number = with_check_digit(&format!("110105{text}001")).unwrap();
            let real = parse_id_number(&number, d("2100-12-31")).is_ok();
            days.push((day, text.into_bytes().try_into().unwrap(), real));
            day = day.succ_opt().unwrap();
        }
        days
    })
    .iter()
    .take_while(move |(day, _, _)| *day <= as_of)
}

/// GB 11643 weights of the first 17 digits, and the check character of each sum mod 11.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS: &[u8; 11] = b"10X98765432";

/// The GB 11643 check character of 17 digits (ISO 7064 MOD 11-2), written out here so
/// the count does not rest on the library's own.
fn check_character(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    CHECK_CHARACTERS[(sum % 11) as usize]
}

/// A small deterministic generator, so every run checks the same people.
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Residents with valid ID numbers over several regions, birth years from 1890 to 2023
/// and both sexes, in households of every kind, some tagged.
fn generated() -> (Store, Vec<String>) {
    let store = county();
    let regions = ["510123", "512021", "110105", "440524", "310101", "650102"];
    let kinds = ["registered", "floating", "rental"];
    let tags: [&[&str]; 3] = [&[], &["低保"], &["空巢"]];
    let mut rng = Lcg(16);
    let mut households = Vec::new();
    for h in 0..12 {
        let id = format!("P{h}");
        store
            .add_household(
                &id,
                "512021100001001",
                &format!("海慧路{h}号"),
                kinds[h % 3],
                tags[h % 3],
                Some(d("2020-01-01")),
            )
            .unwrap();
        for _ in 0..3 {
            let birth = d("1890-01-01") + chrono::Days::new(rng.below(48_500));
            let first17 = format!(
                "{}{}{:03}",
                regions[rng.below(6) as usize],
                birth.format("%Y%m%d"),
                rng.below(1000)
            );
            let number = with_check_digit(&first17).unwrap();
            let phone = format!("138{:08}", rng.below(100_000_000));
            store
                .add_resident(
                    &id,
                    &resident("居民", Some(&number), Some(&phone)),
                    Some(d("2024-01-01")),
                )
                .unwrap();
        }
        households.push(id);
    }
    (store, households)
}

#[test]
fn every_resident_record_with_its_household_leaves_1000_id_numbers_even_with_the_birth_year_known()
{
    let (store, households) = generated();
    let as_of = d("2024-06-30");
    let (mut fewest, mut checked) = (usize::MAX, 0);
    for id in households {
        let household = serde_json::to_value(store.household(&id, Some(as_of)).unwrap()).unwrap();
        for person in store.residents(&id, Some(as_of)).unwrap() {
            let record = serde_json::to_value(&person).unwrap();
            let (clear, _) = store.resident_clear(person.resident_id).unwrap();
            let clear = clear.unwrap();
            assert!(!record.to_string().contains(clear.as_str()));
            let n = candidates(&record, &household, as_of, None);
            assert!(n >= AT_LEAST, "{n} numbers fit {record}");
            // A tag such as 留守儿童 or 高龄 tells an age; even the exact birth year is not
            // enough to complete the number.
            let year: i32 = clear[6..10].parse().unwrap();
            let first = Date::from_ymd_opt(year, 1, 1).unwrap();
            let last = Date::from_ymd_opt(year, 12, 31).unwrap().min(as_of);
            let n = candidates(&record, &household, as_of, Some((first, last)));
            assert!(n >= AT_LEAST, "{n} numbers fit {record} born in {year}");
            fewest = fewest.min(n);
            checked += 1;
        }
    }
    assert_eq!(checked, 36);
    println!("fewest ID numbers possible for one resident: {fewest}");
}

#[test]
fn a_birth_date_beside_the_masked_number_would_complete_it() {
    let household = json!({"household_id": "H1"});
    let record = json!({
        "id_number": "510123**********20", "sex": "female", "birth_date": "1948-05-12",
    });
    assert!(candidates(&record, &household, d("2024-06-30"), None) < 20);
}

#[test]
fn mobiles_keep_their_first_3_and_last_4_digits() {
    assert_eq!(mask_phone("13812345678"), "138****5678");
    assert_eq!(mask_phone("138 1234 5678"), "138****5678");
}

#[test]
fn landlines_keep_at_most_their_last_4_digits_and_hide_at_least_4() {
    assert_eq!(mask_phone("85551234"), "****1234");
    assert_eq!(mask_phone("5551234"), "****234");
    assert_eq!(mask_phone("028-85551234"), "*******1234");
    assert_eq!(mask_phone("0288555123"), "******5123");
    assert_eq!(mask_phone("+86 13812345678"), "*********5678");
}

#[test]
fn short_or_odd_phones_hide_at_least_4_digits() {
    assert_eq!(mask_phone(""), "");
    assert_eq!(mask_phone("110"), "***");
    assert_eq!(mask_phone("1234"), "****");
    assert_eq!(mask_phone("12345"), "****5");
    assert_eq!(mask_phone("123456"), "****56");
    assert_eq!(mask_phone("12-3-4"), "****");
    for n in 0..=20 {
        let phone = "9".repeat(n);
        let masked = mask_phone(&phone);
        let hidden = masked.chars().filter(|&c| c == '*').count();
        assert_eq!(masked.chars().count(), n);
        assert!(hidden >= n.min(4) && n - hidden <= 4, "{phone} → {masked}");
    }
}

#[test]
fn stored_phones_are_shown_masked_in_resident_records() {
    let store = county();
    store
        .add_household(
            "L1",
            "512021100001001",
            "海慧路1号",
            "registered",
            &[],
            None,
        )
        .unwrap();
    let landline = store
        .add_resident("L1", &resident("李", None, Some("85551234")), None)
        .unwrap();
    assert_eq!(landline.phone.as_deref(), Some("****1234"));
}
