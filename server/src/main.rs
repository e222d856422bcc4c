//! The `hocvuso` binary: serves the app and runs the operator's commands.
use std::process::ExitCode;

use hocvuso_server::{cli, config};

/// mimalloc instead of glibc's malloc: page rendering allocates many small strings.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match config::Config::from_env() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("hocvuso: {message}");
            return ExitCode::from(2);
        }
    };
    config::init_logging(&config);
    match cli::run(config, &args).await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("hocvuso: {message}");
            ExitCode::FAILURE
        }
    }
}
