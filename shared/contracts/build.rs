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

    let services: Vec<(String, String)> = fds
        .file
        .iter()
        .flat_map(|file| {
            file.service
                .iter()
                .map(|service| (file.package().to_string(), service.name().to_string()))
        })
        .collect();
    std::fs::write(
        out_dir.join("medbill_limits.rs"),
        message_limit_impls(&services),
    )?;

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

/// `impl MessageLimits` for the generated server of every medbill service in
/// the descriptor set, so the server assembly can size any of them without a
/// hand-kept list.
fn message_limit_impls(services: &[(String, String)]) -> String {
    let mut out = String::new();
    for (package, name) in services {
        if !package.starts_with("medbill.") {
            continue;
        }
        let module = package.replace('.', "::");
        {
            let server_module = format!("{}_server", snake_case(name));
            out.push_str(&format!(
                "impl<T: {module}::{server_module}::{name}> MessageLimits \
                 for {module}::{server_module}::{name}Server<T> {{\n\
                 \x20   fn with_message_limit(self, bytes: usize) -> Self {{\n\
                 \x20       self.max_decoding_message_size(bytes).max_encoding_message_size(bytes)\n\
                 \x20   }}\n}}\n"
            ));
        }
    }
    out
}

/// `CodingAuditService` → `coding_audit_service`, as tonic names modules.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, ch) in name.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
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
