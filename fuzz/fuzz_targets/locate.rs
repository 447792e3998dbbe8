//! Arbitrary TOML whose string values are located at every offset, as
//! failure messages do (the body is `case_format::fuzzing::locate`).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| case_format::fuzzing::locate(data));
