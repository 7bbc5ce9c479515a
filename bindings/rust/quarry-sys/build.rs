//! Finds libquarry: `QUARRY_LIB_DIR` (a directory holding libquarry.so) when set, else
//! `pkg-config quarry` (the pkg-config program, no crate), which must report a 0.1.x
//! release: the ABI these declarations describe.

use std::env;
use std::process::Command;

const WANT: &str = "0.1"; // major.minor whose C API this crate declares

fn pkg_config(args: &[&str]) -> Result<String, String> {
    let out = Command::new(env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".into()))
        .args(args)
        .arg("quarry")
        .output()
        .map_err(|e| format!("cannot run pkg-config: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    println!("cargo:rerun-if-env-changed=QUARRY_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG");
    if let Ok(dir) = env::var("QUARRY_LIB_DIR") {
        println!("cargo:rustc-link-search=native={dir}");
        println!("cargo:rustc-link-lib=dylib=quarry");
        println!("cargo:root={dir}");
        return;
    }
    let found = pkg_config(&["--modversion"]).and_then(|version| {
        let mm: Vec<&str> = version.split('.').take(2).collect();
        if mm.join(".") != WANT {
            return Err(format!("pkg-config found quarry {version}; quarry-sys needs {WANT}.x"));
        }
        pkg_config(&["--libs"])
    });
    if let Ok(dir) = pkg_config(&["--variable=pcfiledir"]) {
        println!("cargo:rerun-if-changed={dir}/quarry.pc"); // a new release re-runs the check
    }
    match found {
        Ok(libs) => {
            for flag in libs.split_whitespace() {
                if let Some(dir) = flag.strip_prefix("-L") {
                    println!("cargo:rustc-link-search=native={dir}");
                    println!("cargo:root={dir}");
                } else if let Some(lib) = flag.strip_prefix("-l") {
                    println!("cargo:rustc-link-lib=dylib={lib}");
                }
            }
        }
        Err(why) => panic!(
            "quarry-sys: libquarry not found ({why}). Install libquarry-dev, set \
             PKG_CONFIG_PATH to the directory of quarry.pc, or set QUARRY_LIB_DIR to the \
             directory of libquarry.so"
        ),
    }
}
