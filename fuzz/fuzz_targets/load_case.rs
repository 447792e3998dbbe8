//! Arbitrary bytes as a case file's text, through the same parse and
//! validation as `Case::load` (the body is `case_format::fuzzing::load_case`).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| case_format::fuzzing::load_case(data));
