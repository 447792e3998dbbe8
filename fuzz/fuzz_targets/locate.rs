//! Arbitrary TOML whose string values are located at every offset, as
//! failure messages do (the body is `harness::fuzzing::locate`).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::fuzzing::locate(data));
