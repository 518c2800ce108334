//! Handing freed memory back to the operating system between phases.
//!
//! The pass over periods allocates and frees large buffers on several threads while the small,
//! long-lived metadata of every part accumulates in between; glibc keeps the freed pages of
//! each thread's arena mapped, so without a trim the process's resident size would carry the
//! pass's high-water mark into the stub-building phase. Measured with the bench's full
//! generation at 4x the large configuration's volume: peak RSS 102 MB without, 82 MB with.

/// Returns free heap pages of every allocator arena to the OS (glibc `malloc_trim`); a no-op
/// on other platforms.
pub(crate) fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: malloc_trim only releases memory the allocator already holds as free; it
        // takes no pointers and is thread-safe.
        unsafe {
            malloc_trim(0);
        }
    }
}
