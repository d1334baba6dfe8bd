//! The verifier as a WebAssembly module with a plain ABI (no generated glue): the page's script copies the input
//! JSON into memory it asks [`alloc`] for, calls [`verify`], and reads the report JSON from the pointer and
//! length it returns, then hands both buffers back with [`dealloc`].

/// A buffer of `len` bytes for the caller to fill.
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut buffer = Vec::<u8>::with_capacity(len);
    let pointer = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    pointer
}

/// Frees a buffer from [`alloc`] or [`verify`].
///
/// # Safety
/// `pointer` and `len` must be exactly a buffer this module handed out, not freed before.
#[no_mangle]
pub unsafe extern "C" fn dealloc(pointer: *mut u8, len: usize) {
    // SAFETY: the caller hands back a buffer of `len` bytes' capacity that this module allocated.
    drop(unsafe { Vec::from_raw_parts(pointer, 0, len) });
}

/// Verifies the [`crate::Input`] JSON at `pointer` (`len` bytes) and returns the [`crate::Report`] JSON as
/// `pointer << 32 | len`. Input that is not JSON of an `Input` gives a report with that one problem.
///
/// # Safety
/// `pointer` must point to `len` initialized bytes of this module's memory.
#[no_mangle]
pub unsafe extern "C" fn verify(pointer: *const u8, len: usize) -> u64 {
    // SAFETY: the caller wrote `len` bytes at `pointer`, in a buffer from `alloc`.
    let input = unsafe { std::slice::from_raw_parts(pointer, len) };
    let report = match serde_json::from_slice::<crate::Input>(input) {
        Ok(input) => crate::verify(&input),
        Err(e) => crate::Report {
            problems: vec![crate::Problem {
                sequence: None,
                signature: None,
                what: format!("the page sent the verifier something it cannot read: {e}"),
            }],
            ..crate::Report::default()
        },
    };
    // A boxed slice's capacity is its length, as `dealloc` expects.
    let bytes = serde_json::to_vec(&report)
        .unwrap_or_default()
        .into_boxed_slice();
    let out_len = bytes.len();
    let out = Box::into_raw(bytes).cast::<u8>();
    ((out as u64) << 32) | out_len as u64
}
