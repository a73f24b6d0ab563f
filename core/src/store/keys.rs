//! The deployment key: 国密 at rest.
//!
//! An integrator may give a store a key of 16 to 64 bytes, which is never written to the
//! file. From it and a random salt kept in `meta` (`key_salt`), HMAC-SM3 (GB/T 32905)
//! derives, each under its own label, four independent values:
//!
//! - an SM4 key (GB/T 32907) that seals ID numbers and phones in GCM mode: each value gets
//!   a random 96-bit nonce and is bound by the associated data to its column (and, where
//!   the row is known before it is written, to its row), so a sealed value copied to
//!   another column or row does not open;
//! - a blind-index key: the `id_number` column of a keyed store holds HMAC-SM3 of the
//!   normalized ID number instead of the number, so look-ups and the uniqueness of ID
//!   numbers work on it unchanged, and the number itself is sealed in `id_sealed`;
//! - the audit chain's key, which makes the chain an HMAC-SM3 chain;
//! - a key-check value, kept in `meta` (`key_check`), by which a wrong or missing key is
//!   refused (`PermissionDenied`) before anything is written.
//!
//! A store without a key keeps ID numbers and phones in clear, as text. Everything the
//! library shows (masked values, ages, sexes, duplicate errors) is the same either way.
//! The cryptography is the `RustCrypto` crates' (`sm3`, `sm4`, `hmac`, `aes-gcm`); none is written here.

use std::fmt;

use aes_gcm::AesGcm;
use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use hmac::{Hmac, Mac};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use sm3::Sm3;
use sm4::Sm4;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};

type HmacSm3 = Hmac<Sm3>;
/// SM4 in Galois/Counter Mode with a 96-bit nonce.
type Sm4Gcm = AesGcm<Sm4, U12>;

/// The shortest deployment key, in bytes.
pub const KEY_MIN_BYTES: usize = 16;
/// The longest deployment key, in bytes.
pub const KEY_MAX_BYTES: usize = 64;

/// The first byte of every sealed value: SM4-GCM, nonce then ciphertext and tag.
const SEALED_V1: u8 = 1;
const NONCE_BYTES: usize = 12;
const SALT_BYTES: usize = 16;

/// Refuses a deployment key that is not 16 to 64 bytes (`InvalidInput` naming `key`).
pub(crate) fn check_key(key: &[u8]) -> Result<()> {
    if (KEY_MIN_BYTES..=KEY_MAX_BYTES).contains(&key.len()) {
        Ok(())
    } else {
        Err(Error::invalid(
            "key",
            format!("{} bytes", key.len()),
            "a deployment key is 16 to 64 bytes",
        ))
    }
}

/// Reads a deployment key given as hex (`key_hex`): two digits per byte, either case,
/// 16 to 64 bytes. Anything else is `InvalidInput` naming `key_hex`, the message saying
/// how long it was but never what it was.
pub fn key_from_hex(text: &str) -> Result<Vec<u8>> {
    let key = from_hex(text.trim()).ok_or_else(|| {
        Error::invalid(
            "key_hex",
            format!("{} characters, withheld", text.chars().count()),
            "a deployment key is given as hex digits, two per byte",
        )
    })?;
    if check_key(&key).is_err() {
        return Err(Error::invalid(
            "key_hex",
            format!("{} bytes, withheld", key.len()),
            "a deployment key is 16 to 64 bytes (32 to 128 hex digits)",
        ));
    }
    Ok(key)
}

/// A column that holds personal data, sealed in a keyed store. Its label is part of the
/// associated data, so a value sealed for one column does not open in another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// `resident.id_sealed`, bound to the row's blind index.
    ResidentIdNumber,
    /// `resident.phone`.
    ResidentPhone,
    /// `staff.phone`, bound to the staff member's id.
    StaffPhone,
}

impl Field {
    fn label(self) -> &'static [u8] {
        match self {
            Field::ResidentIdNumber => b"resident.id_number",
            Field::ResidentPhone => b"resident.phone",
            Field::StaffPhone => b"staff.phone",
        }
    }
}

/// The values derived from one deployment key and salt.
pub(crate) struct Keys {
    cipher: Sm4Gcm,
    /// HMAC-SM3 keyed with the blind-index key, cloned for each value.
    index: HmacSm3,
    chain: Zeroizing<[u8; 32]>,
    check: [u8; 32],
    salt: [u8; SALT_BYTES],
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keys { .. }")
    }
}

/// The pseudorandom key extracted from a deployment key and a salt (as in HKDF), from
/// which every other value is expanded under its own label.
fn extract(key: &[u8], salt: &[u8; SALT_BYTES]) -> Zeroizing<[u8; 32]> {
    Zeroizing::new(hmac_sm3(salt, &[key]))
}

/// HMAC-SM3 under `prk` over a label, ready to finalize or to verify a stored value.
fn expand(prk: &[u8; 32], label: &[u8]) -> HmacSm3 {
    let mut mac = <HmacSm3 as Mac>::new_from_slice(prk).expect("HMAC takes a key of any length");
    mac.update(b"wangge\0");
    mac.update(label);
    mac
}

fn expanded(prk: &[u8; 32], label: &[u8]) -> Zeroizing<[u8; 32]> {
    Zeroizing::new(expand(prk, label).finalize().into_bytes().into())
}

const CHECK_LABEL: &[u8] = b"key-check";

impl Keys {
    /// Derives the keys of the pseudorandom key `prk` of a key and `salt`.
    fn derive(prk: &[u8; 32], salt: [u8; SALT_BYTES]) -> Keys {
        let sm4_key = expanded(prk, b"sm4-gcm");
        let cipher = Sm4Gcm::new_from_slice(&sm4_key[..16]).expect("SM4 takes a 16-byte key");
        let index_key = expanded(prk, b"blind-index");
        let index = <HmacSm3 as Mac>::new_from_slice(index_key.as_ref())
            .expect("HMAC takes a key of any length");
        Keys {
            cipher,
            index,
            chain: expanded(prk, b"audit-chain"),
            check: *expanded(prk, CHECK_LABEL),
            salt,
        }
    }

    /// The key of the audit chain (HMAC-SM3).
    #[allow(dead_code)] // handed to the audit chain where it is sealed with a key
    pub(crate) fn chain_key(&self) -> [u8; 32] {
        *self.chain
    }

    /// The blind index of a normalized ID number.
    fn blind_index(&self, number: &str) -> Vec<u8> {
        let mut mac = self.index.clone();
        mac.update(number.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    fn seal(&self, field: Field, bind: &[u8], clear: &str) -> Result<Vec<u8>> {
        let nonce = Sm4Gcm::generate_nonce(&mut OsRng);
        let aad = associated_data(field, bind);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: clear.as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| Error::Storage(format!("cannot seal {}", label_text(field))))?;
        let mut out = Vec::with_capacity(1 + NONCE_BYTES + sealed.len());
        out.push(SEALED_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    fn open(&self, field: Field, bind: &[u8], sealed: &[u8]) -> Result<String> {
        let broken = || {
            Error::Storage(format!(
                "a sealed {} does not open with this handle's key: the store was rekeyed through \
                 another handle (open it again with the new key) or changed outside the library",
                label_text(field)
            ))
        };
        if sealed.len() < 1 + NONCE_BYTES || sealed[0] != SEALED_V1 {
            return Err(broken());
        }
        let (nonce, body) = sealed[1..].split_at(NONCE_BYTES);
        let aad = associated_data(field, bind);
        let mut clear = self
            .cipher
            .decrypt(
                nonce.into(),
                Payload {
                    msg: body,
                    aad: &aad,
                },
            )
            .map_err(|_| broken())?;
        let text = String::from_utf8(std::mem::take(&mut clear)).map_err(|e| {
            e.into_bytes().zeroize();
            broken()
        })?;
        Ok(text)
    }
}

fn label_text(field: Field) -> &'static str {
    std::str::from_utf8(field.label()).unwrap_or("value")
}

fn associated_data(field: Field, bind: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(field.label().len() + 1 + bind.len());
    aad.extend_from_slice(field.label());
    aad.push(0);
    aad.extend_from_slice(bind);
    aad
}

fn hmac_sm3(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <HmacSm3 as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// How a store keeps personal data: in clear, or sealed with the keys of its deployment
/// key. Every read and write of an ID number or phone goes through it.
#[derive(Debug, Default)]
pub(crate) struct Vault {
    keys: Option<Keys>,
}

/// The key material a keyed store keeps in `meta`: the salt and the key-check value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyMeta {
    pub(crate) salt: String,
    pub(crate) check: String,
}

impl Vault {
    /// A vault for a store without a key.
    pub(crate) fn clear() -> Vault {
        Vault::default()
    }

    /// A vault for `key` (checked here) with a fresh random salt: a new keyed store, or
    /// the new key of a rekey.
    pub(crate) fn fresh(key: &[u8]) -> Result<Vault> {
        check_key(key)?;
        let mut salt = [0u8; SALT_BYTES];
        getrandom(&mut salt)?;
        Ok(Vault {
            keys: Some(Keys::derive(&extract(key, &salt), salt)),
        })
    }

    /// The vault of a keyed store from `key` and the store's `meta`: a key that does not
    /// match is refused (`PermissionDenied`) naming `place`.
    pub(crate) fn unlock(key: &[u8], meta: &KeyMeta, place: &str) -> Result<Vault> {
        check_key(key)?;
        let salt: [u8; SALT_BYTES] = from_hex(&meta.salt)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| Error::Storage(format!("{place}: the stored key salt is unreadable")))?;
        let prk = extract(key, &salt);
        let stored = from_hex(&meta.check).unwrap_or_default();
        // Compared in constant time.
        if expand(&prk, CHECK_LABEL).verify_slice(&stored).is_err() {
            return Err(Error::PermissionDenied(format!(
                "{place} is encrypted with another deployment key: it was not opened or changed"
            )));
        }
        let keys = Keys::derive(&prk, salt);
        Ok(Vault { keys: Some(keys) })
    }

    /// True when the store has a deployment key.
    pub(crate) fn is_keyed(&self) -> bool {
        self.keys.is_some()
    }

    /// The derived keys of a keyed store.
    #[allow(dead_code)] // the audit chain takes its key from here
    pub(crate) fn keys(&self) -> Option<&Keys> {
        self.keys.as_ref()
    }

    /// What `meta` keeps of this vault's key, or `None` for a store without a key.
    pub(crate) fn meta(&self) -> Option<KeyMeta> {
        self.keys.as_ref().map(|k| KeyMeta {
            salt: to_hex(&k.salt),
            check: to_hex(&k.check),
        })
    }

    /// What the `id_number` column holds for a normalized ID number: the number itself,
    /// or in a keyed store its blind index. Look-ups and the uniqueness of ID numbers use
    /// this value.
    pub(crate) fn id_lookup(&self, number: &str) -> Value {
        match &self.keys {
            None => Value::Text(number.to_owned()),
            Some(keys) => Value::Blob(keys.blind_index(number)),
        }
    }

    /// The `id_number` and `id_sealed` columns for an ID number (or none).
    pub(crate) fn seal_id(&self, number: Option<&str>) -> Result<(Option<Value>, Option<Value>)> {
        let Some(number) = number else {
            return Ok((None, None));
        };
        let lookup = self.id_lookup(number);
        match (&self.keys, &lookup) {
            (Some(keys), Value::Blob(index)) => {
                let sealed = keys.seal(Field::ResidentIdNumber, index, number)?;
                Ok((Some(lookup), Some(Value::Blob(sealed))))
            }
            _ => Ok((Some(lookup), None)),
        }
    }

    /// The ID number held by the `id_number` and `id_sealed` columns of a row.
    pub(crate) fn open_id(
        &self,
        lookup: Option<Value>,
        sealed: Option<Value>,
    ) -> Result<Option<String>> {
        match (&self.keys, lookup) {
            (_, None | Some(Value::Null)) => Ok(None),
            (None, Some(Value::Text(number))) => Ok(Some(number)),
            (Some(keys), Some(Value::Blob(index))) => match sealed {
                Some(Value::Blob(sealed)) => keys
                    .open(Field::ResidentIdNumber, &index, &sealed)
                    .map(Some),
                _ => Err(not_sealed(Field::ResidentIdNumber)),
            },
            (None, Some(_)) => Err(sealed_without_key()),
            (Some(_), Some(_)) => Err(not_sealed(Field::ResidentIdNumber)),
        }
    }

    /// What a column holds for `clear` (or none): the text itself, or in a keyed store
    /// the value sealed for `field` and the row `bind` (empty when the row is not bound).
    pub(crate) fn seal(
        &self,
        field: Field,
        bind: &[u8],
        clear: Option<&str>,
    ) -> Result<Option<Value>> {
        match (clear, &self.keys) {
            (None, _) => Ok(None),
            (Some(text), None) => Ok(Some(Value::Text(text.to_owned()))),
            (Some(text), Some(keys)) => Ok(Some(Value::Blob(keys.seal(field, bind, text)?))),
        }
    }

    /// The text a column holds, as [`Vault::seal`] stored it.
    pub(crate) fn open(
        &self,
        field: Field,
        bind: &[u8],
        stored: Option<Value>,
    ) -> Result<Option<String>> {
        match (&self.keys, stored) {
            (_, None | Some(Value::Null)) => Ok(None),
            (None, Some(Value::Text(text))) => Ok(Some(text)),
            (Some(keys), Some(Value::Blob(sealed))) => keys.open(field, bind, &sealed).map(Some),
            (None, Some(_)) => Err(sealed_without_key()),
            (Some(_), Some(_)) => Err(not_sealed(field)),
        }
    }
}

fn not_sealed(field: Field) -> Error {
    Error::Storage(format!(
        "a {} of this keyed store is not sealed: it was changed outside the library",
        label_text(field)
    ))
}

fn sealed_without_key() -> Error {
    Error::Storage(
        "this store holds sealed values but no key check: it was changed outside the library"
            .to_owned(),
    )
}

/// Fills `buf` from the system's randomness.
pub(crate) fn getrandom(buf: &mut [u8]) -> Result<()> {
    use aes_gcm::aead::rand_core::RngCore;
    OsRng
        .try_fill_bytes(buf)
        .map_err(|e| Error::Storage(format!("no randomness from the system: {e}")))
}

/// The vault of the store at `path` of schema `version` opened with another store's vault
/// `given` (the same deployment key): the file must be keyed alike (same salt and check),
/// or be new, when it is also the key material to write. Otherwise `PermissionDenied`.
pub(crate) fn given_vault(
    conn: &Connection,
    path: &std::path::Path,
    version: i64,
    given: std::sync::Arc<Vault>,
) -> Result<(std::sync::Arc<Vault>, Option<KeyMeta>)> {
    let stored = if version > 0 { read_meta(conn)? } else { None };
    match (stored, given.meta()) {
        (None, None) => Ok((given, None)),
        (Some(stored), Some(meta)) if stored == meta => Ok((given, None)),
        (None, Some(meta)) if version == 0 => Ok((given, Some(meta))),
        _ => Err(Error::PermissionDenied(format!(
            "{} is encrypted with another deployment key: it was not opened or changed",
            path.display()
        ))),
    }
}

/// Reads the key material a keyed store keeps in `meta`; `None` for a store without a key.
pub(crate) fn read_meta(conn: &Connection) -> Result<Option<KeyMeta>> {
    let get = |key: &str| -> Result<Option<String>> {
        Ok(conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    };
    match (get("key_salt")?, get("key_check")?) {
        (Some(salt), Some(check)) => Ok(Some(KeyMeta { salt, check })),
        (None, None) => Ok(None),
        _ => Err(Error::Storage(
            "the store's key salt or key check is missing: it was changed outside the library"
                .to_owned(),
        )),
    }
}

/// Refuses a write through a handle whose key is no longer the store's: another handle
/// rekeyed it (or keyed it) since this one was opened. `PermissionDenied`, nothing written.
pub(crate) fn check_current(conn: &Connection, vault: &Vault) -> Result<()> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = 'key_check'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    if stored == vault.meta().map(|m| m.check) {
        Ok(())
    } else {
        Err(Error::PermissionDenied(
            "the store's deployment key was changed through another handle since this one was \
             opened: open it again with its key; nothing was written"
                .to_owned(),
        ))
    }
}

/// Writes (or replaces) the key material of a keyed store in `meta`.
pub(crate) fn write_meta(conn: &Connection, meta: &KeyMeta) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('key_salt', ?1), ('key_check', ?2)",
        [&meta.salt, &meta.check],
    )?;
    Ok(())
}

/// Lower-case hex.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Bytes from hex (either case); `None` for anything else.
pub(crate) fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let pair = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(pair, 16)
                .ok()
                .filter(|_| pair.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_open_only_in_their_own_column_and_row() {
        let vault = Vault::fresh(&[7u8; 16]).unwrap();
        let sealed = vault
            .seal(Field::StaffPhone, b"s1", Some("13812345678"))
            .unwrap();
        assert!(matches!(sealed, Some(Value::Blob(_))));
        assert_eq!(
            vault
                .open(Field::StaffPhone, b"s1", sealed.clone())
                .unwrap()
                .as_deref(),
            Some("13812345678")
        );
        assert!(
            vault
                .open(Field::StaffPhone, b"s2", sealed.clone())
                .is_err()
        );
        assert!(vault.open(Field::ResidentPhone, b"s1", sealed).is_err());
    }

    #[test]
    fn the_same_number_gets_the_same_index_but_a_new_seal() {
        let vault = Vault::fresh(&[7u8; 32]).unwrap();
        let (a, sa) = vault.seal_id(Some("110101199003074477")).unwrap();
        let (b, sb) = vault.seal_id(Some("110101199003074477")).unwrap();
        assert_eq!(a, b);
        assert_ne!(sa, sb);
        assert_eq!(
            vault.open_id(a, sa).unwrap().as_deref(),
            Some("110101199003074477")
        );
        // Another salt, another index.
        let other = Vault::fresh(&[7u8; 32]).unwrap();
        assert_ne!(other.id_lookup("110101199003074477"), b.unwrap());
    }

    #[test]
    fn a_wrong_key_is_refused_and_the_right_one_unlocks() {
        let vault = Vault::fresh(b"0123456789abcdef").unwrap();
        let meta = vault.meta().unwrap();
        assert!(Vault::unlock(b"0123456789abcdef", &meta, "x").is_ok());
        let wrong = Vault::unlock(b"0123456789abcdeF", &meta, "x").unwrap_err();
        assert!(matches!(wrong, Error::PermissionDenied(_)));
        assert!(matches!(
            Vault::fresh(b"short").unwrap_err(),
            Error::InvalidInput { field: "key", .. }
        ));
        assert!(format!("{vault:?}").len() < 40, "{vault:?}");
    }

    #[test]
    fn hex_round_trips() {
        assert_eq!(to_hex(&[0, 171, 255]), "00abff");
        assert_eq!(from_hex("00ABff"), Some(vec![0, 171, 255]));
        assert_eq!(from_hex("0g"), None);
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("+1"), None);
    }
}
