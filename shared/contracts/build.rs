//! Compiles `proto/` into Rust with protox (no system `protoc`) and
//! tonic-prost-build, and writes the file descriptor set that server reflection
//! serves (`compile_fds` does not write it).

use std::path::PathBuf;

use prost::Message;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let proto_root = manifest_dir.join("../../proto");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);

    let mut files = Vec::new();
    collect_protos(&proto_root, &mut files)?;
    files.sort();

    let fds = protox::compile(&files, [&proto_root])?;
    std::fs::write(out_dir.join("medbill_descriptor.bin"), fds.encode_to_vec())?;

    tonic_prost_build::configure()
        // Unimplemented RPCs answer UNIMPLEMENTED until their issue lands.
        .generate_default_stubs(true)
        .include_file("medbill.rs")
        // `prost::Name` on every message: event types are their full names.
        .compile_fds_with_config(fds, {
            let mut config = tonic_prost_build::Config::new();
            config.enable_type_names();
            config
        })?;

    println!("cargo:rerun-if-changed={}", proto_root.display());
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    Ok(())
}

/// Every `.proto` below `dir`, recursively.
fn collect_protos(dir: &std::path::Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_protos(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "proto") {
            out.push(path);
        }
    }
    Ok(())
}
