//! `include/wangge.h` must be exactly what the pinned cbindgen generates from this crate.
//! Run with `WANGGE_BLESS_HEADER=1` (or `make header`) to regenerate it.

use std::path::Path;

#[test]
fn committed_header_matches_the_generated_one() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let header = crate_dir.join("../include/wangge.h");
    if std::env::var_os("WANGGE_BLESS_HEADER").is_some() {
        std::fs::write(&header, &generated).expect("write include/wangge.h");
        return;
    }
    let committed = std::fs::read(&header).unwrap_or_default();
    assert!(
        committed == generated,
        "include/wangge.h is stale: run `make header` and commit it"
    );
}
