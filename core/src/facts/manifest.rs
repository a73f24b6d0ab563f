//! The manifest (`_wangge.json`) and the key digests (`_wangge.keys`) an export leaves in
//! its directory, read back and checked by the next export.

use std::collections::BTreeMap;
use std::path::Path;

use foldhash::HashMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The manifest's file name.
pub(crate) const MANIFEST: &str = "_wangge.json";
/// The key digests' file name.
pub(crate) const KEYS: &str = "_wangge.keys";
const FORMAT: &str = "wangge-parquet/1";
const KEYS_MAGIC: &[u8; 4] = b"WGK1";

/// One part file of a table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Part {
    pub(crate) file: String,
    pub(crate) export_seq: i64,
    pub(crate) rows: u64,
}

/// What an export left: enough for the next one to write only what changed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Manifest {
    pub(crate) format: String,
    pub(crate) store_id: String,
    pub(crate) unit: Option<String>,
    pub(crate) export_seq: i64,
    /// The audit head (seq, digest, at) the export covered up to.
    pub(crate) audit_seq: i64,
    pub(crate) audit_digest: String,
    pub(crate) audit_at: String,
    /// The greatest visit number written.
    pub(crate) visits_after: i64,
    /// The digest of each table written whole, as last written.
    pub(crate) whole: BTreeMap<String, String>,
    /// SHA-256 of the key digests' file.
    pub(crate) keys_sha256: String,
    /// Each table's part files, oldest first.
    pub(crate) tables: BTreeMap<String, Vec<Part>>,
    /// SHA-256 of the manifest written with this field empty: a hand edit shows.
    pub(crate) checksum: String,
}

/// Why a directory's manifest cannot be trusted.
#[derive(Debug, Clone, Copy)]
enum Damage {
    NoManifest,
    Unreadable,
    Checksum,
    MissingPart,
    Keys,
}

fn damaged(dir: &Path, why: Damage) -> Error {
    let dir = dir.display();
    Error::Conflict(match why {
        Damage::NoManifest => {
            format!("{dir} holds table folders but no export manifest: export to a new directory")
        }
        Damage::Unreadable => {
            format!("the export manifest in {dir} is unreadable: export to a new directory")
        }
        Damage::Checksum => format!(
            "the export manifest in {dir} is damaged or was edited (its checksum does not match): export to a new directory"
        ),
        Damage::MissingPart => format!(
            "a part file the export manifest in {dir} lists is missing: export to a new directory"
        ),
        Damage::Keys => format!(
            "the key digests beside the export manifest in {dir} are missing or damaged: export to a new directory"
        ),
    })
}

fn sha_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

impl Manifest {
    pub(crate) fn new(store_id: &str, unit: Option<&str>) -> Self {
        Manifest {
            format: FORMAT.to_owned(),
            store_id: store_id.to_owned(),
            unit: unit.map(str::to_owned),
            export_seq: 0,
            audit_seq: 0,
            audit_digest: String::new(),
            audit_at: String::new(),
            visits_after: 0,
            whole: BTreeMap::new(),
            keys_sha256: String::new(),
            tables: BTreeMap::new(),
            checksum: String::new(),
        }
    }

    fn sealed_text(&self) -> Result<String> {
        let mut m = self.clone();
        m.checksum = String::new();
        let body = serde_json::to_string(&m).map_err(|e| Error::Storage(e.to_string()))?;
        m.checksum = sha_hex(body.as_bytes());
        serde_json::to_string_pretty(&m).map_err(|e| Error::Storage(e.to_string()))
    }

    /// Reads the manifest of `dir`, if there is one, and checks that it is whole, was
    /// written by the store `store_id` for `unit`, and that the files it lists are there.
    pub(crate) fn load(dir: &Path, store_id: &str, unit: Option<&str>) -> Result<Option<Self>> {
        let path = dir.join(MANIFEST);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if super::TABLE_NAMES.iter().any(|t| dir.join(t).exists()) {
                    return Err(damaged(dir, Damage::NoManifest));
                }
                return Ok(None);
            }
            Err(e) => {
                return Err(Error::Storage(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        let m: Manifest =
            serde_json::from_str(&text).map_err(|_| damaged(dir, Damage::Unreadable))?;
        let mut unsealed = m.clone();
        unsealed.checksum = String::new();
        let body = serde_json::to_string(&unsealed).map_err(|e| Error::Storage(e.to_string()))?;
        if m.format != FORMAT || m.checksum != sha_hex(body.as_bytes()) {
            return Err(damaged(dir, Damage::Checksum));
        }
        if m.store_id != store_id {
            return Err(Error::Conflict(format!(
                "{} holds the export of another store ({}, not {store_id})",
                dir.display(),
                m.store_id
            )));
        }
        if m.unit.as_deref() != unit {
            return Err(Error::Conflict(format!(
                "{} holds the export of {}, not of {}",
                dir.display(),
                m.unit.as_deref().unwrap_or("the whole store"),
                unit.unwrap_or("the whole store")
            )));
        }
        for (table, parts) in &m.tables {
            for p in parts {
                if !dir.join(table).join(&p.file).is_file() {
                    return Err(damaged(dir, Damage::MissingPart));
                }
            }
        }
        Ok(Some(m))
    }

    /// Writes the manifest, through a temporary file renamed into place.
    pub(crate) fn save(&self, dir: &Path) -> Result<()> {
        write_atomic(&dir.join(MANIFEST), self.sealed_text()?.as_bytes())
    }
}

/// Writes `bytes` to `path` through a temporary file renamed into place.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(".tmp");
    let io = |e: std::io::Error| Error::Storage(format!("cannot write {}: {e}", path.display()));
    std::fs::write(&temp, bytes).map_err(io)?;
    std::fs::rename(&temp, path).map_err(io)
}

/// Per keyed table, each key's digest (both 64-bit hashes) as last written.
#[derive(Debug, Default)]
pub(crate) struct Keys {
    pub(crate) tables: BTreeMap<String, HashMap<u64, u64>>,
}

impl Keys {
    /// Reads the digests `manifest` names; they must hash to what it says.
    pub(crate) fn load(dir: &Path, manifest: &Manifest) -> Result<Self> {
        let bytes = std::fs::read(dir.join(KEYS)).map_err(|_| damaged(dir, Damage::Keys))?;
        if sha_hex(&bytes) != manifest.keys_sha256 {
            return Err(damaged(dir, Damage::Keys));
        }
        Self::decode(&bytes).ok_or_else(|| damaged(dir, Damage::Keys))
    }

    fn decode(mut b: &[u8]) -> Option<Self> {
        fn take<'a>(b: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
            let (head, rest) = (b.get(..n)?, b.get(n..)?);
            *b = rest;
            Some(head)
        }
        let u64_of = |s: &[u8]| u64::from_le_bytes(s.try_into().unwrap_or([0; 8]));
        if take(&mut b, 4)? != KEYS_MAGIC {
            return None;
        }
        let mut keys = Keys::default();
        while !b.is_empty() {
            let len = u64_of(take(&mut b, 8)?) as usize;
            let name = std::str::from_utf8(take(&mut b, len)?).ok()?.to_owned();
            let n = u64_of(take(&mut b, 8)?) as usize;
            let mut map = HashMap::default();
            map.reserve(n.min(b.len() / 16));
            for _ in 0..n {
                let k = u64_of(take(&mut b, 8)?);
                let d = u64_of(take(&mut b, 8)?);
                map.insert(k, d);
            }
            keys.tables.insert(name, map);
        }
        Some(keys)
    }

    /// Writes the digests; gives their SHA-256 for the manifest.
    pub(crate) fn save(&self, dir: &Path) -> Result<String> {
        let mut out = KEYS_MAGIC.to_vec();
        for (name, map) in &self.tables {
            out.extend_from_slice(&(name.len() as u64).to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&(map.len() as u64).to_le_bytes());
            let mut pairs: Vec<(u64, u64)> = map.iter().map(|(&k, &d)| (k, d)).collect();
            pairs.sort_unstable();
            for (k, d) in pairs {
                out.extend_from_slice(&k.to_le_bytes());
                out.extend_from_slice(&d.to_le_bytes());
            }
        }
        write_atomic(&dir.join(KEYS), &out)?;
        Ok(sha_hex(&out))
    }
}

/// A 64-bit digest of `parts`, each length-prefixed.
pub(crate) fn digest64(parts: &[&[u8]]) -> u64 {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    let d = h.finalize();
    u64::from_le_bytes(d[..8].try_into().unwrap_or([0; 8]))
}
