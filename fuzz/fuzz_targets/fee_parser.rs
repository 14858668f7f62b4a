#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tsunagu_fuzz::fee_parser(data));
