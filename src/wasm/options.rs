//! The clean options JavaScript gives (`{ categories: { ads, promos, related, comments, social
//! }, watch }`), read into `CleanOptions`.

use crate::core::report::CleanOptions;
use wasm_bindgen::prelude::*;

/// Reads `{ categories: { ads, promos, related, comments, social }, watch }`; anything missing
/// takes its default, anything else is a clear error. (Read by hand rather than through serde:
/// serde's error messages alone would add a tenth to the module's size.)
pub(crate) fn parse_options(options: JsValue) -> Result<CleanOptions, JsError> {
    let mut parsed = CleanOptions::default();
    if options.is_undefined() || options.is_null() {
        return Ok(parsed);
    }
    read_flags(
        &options,
        "the options",
        &["watch", "categories"],
        |key, value| {
            if key == "watch" {
                return read_flag(value, key, &mut parsed.watch);
            }
            let set = &mut parsed.categories;
            read_flags(
                value,
                "categories",
                &["ads", "promos", "related", "comments", "social"],
                |name, on| {
                    let slot = match name {
                        "ads" => &mut set.ads,
                        "promos" => &mut set.promos,
                        "related" => &mut set.related,
                        "comments" => &mut set.comments,
                        _ => &mut set.social,
                    };
                    read_flag(on, name, slot)
                },
            )
        },
    )?;
    Ok(parsed)
}

/// Calls `each(key, value)` for every key of the plain object `value` (named `what` in errors);
/// a key outside `known` is an error.
fn read_flags(
    value: &JsValue,
    what: &str,
    known: &[&str],
    mut each: impl FnMut(&str, &JsValue) -> Result<(), JsError>,
) -> Result<(), JsError> {
    if !value.is_object() || js_sys::Array::is_array(value) {
        return Err(JsError::new(&format!(
            "invalid clean options: {what} must be an object"
        )));
    }
    let object: &js_sys::Object = value.unchecked_ref();
    for key in js_sys::Object::keys(object).iter() {
        let key = key.as_string().unwrap_or_default();
        let Some(known) = known.iter().find(|k| **k == key) else {
            return Err(JsError::new(&format!(
                "invalid clean options: unknown key \"{key}\" in {what}"
            )));
        };
        let field = js_sys::Reflect::get(object, &JsValue::from_str(known)).unwrap_or_default();
        each(known, &field)?;
    }
    Ok(())
}

fn read_flag(value: &JsValue, name: &str, slot: &mut bool) -> Result<(), JsError> {
    if value.is_undefined() {
        return Ok(());
    }
    *slot = value.as_bool().ok_or_else(|| {
        JsError::new(&format!(
            "invalid clean options: {name} must be true or false"
        ))
    })?;
    Ok(())
}
