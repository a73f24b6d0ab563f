//! The column reader every import source goes through (CSV, XLSX, a table of rows, rows
//! as JSON objects): headers in English or Chinese, the caller's `columns` mapping, the
//! header row found below title lines, and the columns nobody knows, reported.

use super::ImportRow;
use crate::error::{Error, Result};

/// The import's columns: each field's English name and the headers Chinese registers
/// (户籍/流动人口/民政 花名册) use for it. A header is matched trimmed, without a leading
/// `*` (a required-column mark), and case-insensitively for the English names.
///
/// | field | headers |
/// |---|---|
/// | `household_id` | 户编号, 户号, 户id, 户代码, 家庭编号 |
/// | `unit` | 所属网格, 网格, 网格编码, 网格编号, 所属网格编码 |
/// | `address` | 地址, 住址, 居住地址, 现住址, 家庭住址 |
/// | `kind` | 户类型, 户别, 户籍类型, 户属性 |
/// | `tags` | 户标签, 标签 |
/// | `name` | 姓名, 居民姓名 |
/// | `id_number` | 身份证号, 身份证号码, 公民身份号码, 证件号码 |
/// | `phone` | 联系电话, 电话, 手机, 手机号, 手机号码, 联系方式 |
/// | `relation` | 与户主关系, 关系, 与户主的关系 |
/// | `hukou` | 户口性质 |
/// | `employer` | 工作单位 |
/// | `resident_tags` | 人员标签, 人员类别, 人员类型 |
pub const COLUMN_ALIASES: [(&str, &[&str]); 12] = [
    (
        "household_id",
        &["户编号", "户号", "户id", "户代码", "家庭编号"],
    ),
    (
        "unit",
        &["所属网格", "网格", "网格编码", "网格编号", "所属网格编码"],
    ),
    (
        "address",
        &["地址", "住址", "居住地址", "现住址", "家庭住址"],
    ),
    ("kind", &["户类型", "户别", "户籍类型", "户属性"]),
    ("tags", &["户标签", "标签"]),
    ("name", &["姓名", "居民姓名"]),
    (
        "id_number",
        &["身份证号", "身份证号码", "公民身份号码", "证件号码"],
    ),
    (
        "phone",
        &["联系电话", "电话", "手机", "手机号", "手机号码", "联系方式"],
    ),
    ("relation", &["与户主关系", "关系", "与户主的关系"]),
    ("hukou", &["户口性质"]),
    ("employer", &["工作单位"]),
    ("resident_tags", &["人员标签", "人员类别", "人员类型"]),
];

/// The columns a file (CSV or XLSX) must have.
const REQUIRED: [&str; 5] = ["household_id", "unit", "address", "kind", "name"];

/// How many rows above the header may be title lines when no `header_row` is given.
pub(super) const TITLE_ROWS_MAX: usize = 20;

/// Where each field of [`COLUMN_ALIASES`] is in a source's rows.
pub(super) type ColumnIndex = [Option<usize>; COLUMN_ALIASES.len()];

/// The field a column name or header stands for: its English name or one of its aliases.
fn field_of(header: &str) -> Option<usize> {
    let header = header.trim().trim_start_matches(['*', '＊']).trim();
    let lower = header.to_lowercase();
    COLUMN_ALIASES
        .iter()
        .position(|(name, aliases)| *name == lower || aliases.contains(&lower.as_str()))
}

/// Checks a caller's `columns` mapping (their header → a field's English name or one of
/// its Chinese headers): a target that is no field is `InvalidInput` naming `columns`.
pub(super) fn check_columns(columns: &[(String, String)]) -> Result<Vec<(String, usize)>> {
    columns
        .iter()
        .map(|(theirs, ours)| match field_of(ours) {
            Some(field) => Ok((theirs.trim().to_owned(), field)),
            None => Err(Error::invalid(
                "columns",
                ours,
                format!(
                    "the column {theirs:?} is mapped to no field: expected one of {}",
                    ImportRow::KEYS.join(", ")
                ),
            )),
        })
        .collect()
}

/// One source's header: where each field is, and the columns that name no field.
#[derive(Debug, Clone, Default)]
pub(super) struct Header {
    pub(super) index: ColumnIndex,
    /// Headers that are no field, in the order of the columns.
    pub(super) unknown: Vec<String>,
    /// How many fields the header names.
    known: usize,
}

impl Header {
    /// Reads a row of cells as a header, the caller's mapping first, then the aliases. A
    /// column whose field came earlier is reported as unknown, since it is not read.
    pub(super) fn read<'c>(
        cells: impl IntoIterator<Item = &'c str>,
        columns: &[(String, usize)],
    ) -> Header {
        let mut header = Header::default();
        for (i, cell) in cells.into_iter().enumerate() {
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            let field = columns
                .iter()
                .find(|(theirs, _)| theirs == cell)
                .map(|(_, field)| *field)
                .or_else(|| field_of(cell));
            match field {
                Some(field) if header.index[field].is_none() => {
                    header.index[field] = Some(i);
                    header.known += 1;
                }
                _ => header.unknown.push(cell.to_owned()),
            }
        }
        header
    }

    /// Whether a row read as a header names enough fields to be one: at least two.
    pub(super) fn is_header(&self) -> bool {
        self.known >= 2
    }

    /// The fields a file must have and this header lacks, as an error naming `source`
    /// (`csv`, `xlsx`) and showing the header.
    pub(super) fn check_required(&self, source: &'static str, shown: &[&str]) -> Result<()> {
        let missing: Vec<&str> = REQUIRED
            .iter()
            .copied()
            .filter(|f| {
                COLUMN_ALIASES
                    .iter()
                    .position(|(name, _)| name == f)
                    .and_then(|i| self.index[i])
                    .is_none()
            })
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(Error::invalid(
            source,
            shown.iter().map(|c| c.trim()).collect::<Vec<_>>().join(","),
            format!("missing columns: {}", missing.join(", ")),
        ))
    }
}

/// Finds the header row among a source's first rows, given one at a time as its line and
/// its cells: the row at `header_row` when given, else the first that names at least two
/// fields, within [`TITLE_ROWS_MAX`] rows of title lines.
pub(super) struct HeaderSearch<'c> {
    columns: &'c [(String, usize)],
    header_row: Option<usize>,
    seen: usize,
    first: Option<Vec<String>>,
}

impl<'c> HeaderSearch<'c> {
    pub(super) fn new(columns: &'c [(String, usize)], header_row: Option<usize>) -> Self {
        HeaderSearch {
            columns,
            header_row,
            seen: 0,
            first: None,
        }
    }

    /// Offers the next row; `Some` when it is the header. A row past the search is an
    /// error naming `source`.
    pub(super) fn offer<'r>(
        &mut self,
        source: &'static str,
        line: usize,
        cells: impl Iterator<Item = &'r str> + Clone,
    ) -> Result<Option<Header>> {
        self.seen += 1;
        if self.first.is_none() {
            self.first = Some(cells.clone().map(str::to_owned).collect());
        }
        match self.header_row {
            Some(wanted) if line < wanted => Ok(None),
            Some(wanted) if line == wanted => {
                let header = Header::read(cells.clone(), self.columns);
                let shown: Vec<&str> = cells.collect();
                header.check_required(source, &shown)?;
                Ok(Some(header))
            }
            Some(wanted) => Err(Error::invalid(
                "header_row",
                wanted.to_string(),
                "the source has no row there",
            )),
            None => {
                let header = Header::read(cells.clone(), self.columns);
                if header.is_header() {
                    let shown: Vec<&str> = cells.collect();
                    header.check_required(source, &shown)?;
                    return Ok(Some(header));
                }
                if self.seen > TITLE_ROWS_MAX {
                    return Err(self.not_found(source));
                }
                Ok(None)
            }
        }
    }

    /// The error for a source that ended, or went on too long, without a header row.
    pub(super) fn not_found(&self, source: &'static str) -> Error {
        if let Some(wanted) = self.header_row {
            return Error::invalid(
                "header_row",
                wanted.to_string(),
                "the source has no row there",
            );
        }
        Error::invalid(
            source,
            self.first.as_deref().unwrap_or_default().join(","),
            format!(
                "no header row in the first {} rows: a header names at least two of {}",
                TITLE_ROWS_MAX + 1,
                ImportRow::KEYS.join(", ")
            ),
        )
    }
}

/// One row's cells as an [`ImportRow`] at `line`, by a header's index, trimmed.
pub(super) fn row_of(index: &ColumnIndex, line: usize, cells: &[&str]) -> ImportRow {
    let get = |field: usize| -> String {
        index[field]
            .and_then(|i| cells.get(i))
            .map_or("", |c| c.trim())
            .to_owned()
    };
    ImportRow {
        line,
        household_id: get(0),
        unit: get(1),
        address: get(2),
        kind: get(3),
        tags: get(4),
        name: get(5),
        id_number: get(6),
        phone: get(7),
        relation: get(8),
        hukou: get(9),
        employer: get(10),
        resident_tags: get(11),
    }
}

/// Reads rows of cells, as a sheet holds them (title lines, the header, data rows), into
/// import rows and the header's unknown columns. Rows with no cell filled in are skipped.
pub(super) fn read_rows(
    source: &'static str,
    lines: &[(usize, Vec<String>)],
    columns: &[(String, usize)],
    header_row: Option<usize>,
) -> Result<(Vec<ImportRow>, Vec<String>)> {
    let mut search = HeaderSearch::new(columns, header_row);
    let mut header = None;
    let mut rows = Vec::new();
    for (line, cells) in lines {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match &header {
            None => header = search.offer(source, *line, cells.iter().map(String::as_str))?,
            Some(header) => {
                let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
                rows.push(row_of(&header.index, *line, &cells));
            }
        }
    }
    let header: Header = header.ok_or_else(|| search.not_found(source))?;
    Ok((rows, header.unknown))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_is_found_below_title_lines_and_unknown_columns_are_kept() {
        let lines: Vec<(usize, Vec<String>)> = [
            vec!["XX县XX镇居民花名册（2025年）", "", ""],
            vec![],
            vec![
                "户编号",
                "*所属网格",
                "住址",
                "户类型",
                "姓名",
                "备注",
                "户号",
            ],
            vec!["H1", "G", "a", "常住", "甲", "无", "X"],
        ]
        .into_iter()
        .enumerate()
        .map(|(i, cells)| (i + 1, cells.into_iter().map(str::to_owned).collect()))
        .collect();
        let (rows, unknown) = read_rows("xlsx", &lines, &[], None).unwrap();
        assert_eq!(unknown, ["备注", "户号"]);
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].line, rows[0].unit.as_str()), (4, "G"));
        let given = read_rows("xlsx", &lines, &[], Some(3)).unwrap();
        assert_eq!(given.0, rows);
        let wrong = read_rows("xlsx", &lines, &[], Some(1)).unwrap_err();
        assert!(wrong.to_string().contains("missing columns"), "{wrong}");
    }

    #[test]
    fn a_mapping_to_no_field_names_columns() {
        let err = check_columns(&[("户主".into(), "owner".into())]).unwrap_err();
        assert!(err.to_string().starts_with("invalid columns "), "{err}");
        let ok = check_columns(&[("户主姓名".into(), "姓名".into())]).unwrap();
        assert_eq!(ok, [("户主姓名".to_owned(), 5)]);
    }
}
