#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tsunagu_fuzz::address_parser(data));
