//! Gives the C library its SONAME, `libwangge.so.0`: the name a C program records and
//! the dynamic loader looks for, kept while the ABI stays compatible (see
//! `wangge::ABI_VERSION`). The file is installed as `libwangge.so.0.MINOR.PATCH` by
//! `make install`.

fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libwangge.so.0");
    println!("cargo:rerun-if-changed=build.rs");
}
