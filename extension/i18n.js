// Fills the text of extension pages from the browser's _locales (en, de, fr): elements with
// data-i18n get their textContent, data-i18n-title / -aria-label / -placeholder those attributes.
// Messages are set as text, never as HTML.
((root) => {
  const api = root.browser ?? root.chrome;
  function t(key, substitutions) {
    return api.i18n.getMessage(key, substitutions) || key;
  }
  function localize(scope = document) {
    for (const element of scope.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
    for (const [data, attribute] of [['i18nTitle', 'title'], ['i18nAriaLabel', 'aria-label'], ['i18nPlaceholder', 'placeholder']]) {
      for (const element of scope.querySelectorAll(`[data-${data.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}]`)) {
        element.setAttribute(attribute, t(element.dataset[data]));
      }
    }
    document.documentElement.lang = api.i18n.getUILanguage?.() ?? 'en';
  }
  root.UnsponsorI18n = Object.freeze({ t, localize });
})(globalThis);
