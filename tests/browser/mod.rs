//! Helpers shared by the browser tests (`wasm-pack test`: web.rs, web_sliced.rs).

use wasm_bindgen_futures::JsFuture;

/// Resolves after `ms` milliseconds, on a timer of the page (so other tasks run meanwhile).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Runs `source` in the page (a statement), for tests that break a browser API on purpose.
pub fn run_script(source: &str) {
    js_sys::Function::new_no_args(source)
        .call0(&wasm_bindgen::JsValue::NULL)
        .unwrap();
}
