// The reader's settings: one versioned object, kept in storage.sync (storage.local where sync is
// unavailable or full), read and written only through this module. Loaded as a classic script by
// the background, the popup and the options page (globalThis.UnsponsorSettings); the Node unit
// tests load it the same way (tests/node/settings.test.mjs).
//
// Stored settings are untrusted input (another device, an old version, a damaged profile): every
// read goes through repair(), which keeps each valid field, replaces each invalid one by its
// default, and lists what it replaced. Whoever loads damaged settings writes the repaired object
// back and leaves a notice (storage.local `notice`) that the popup and options page show.
((root) => {
  const VERSION = 1;
  const STORAGE_KEY = 'settings';
  const NOTICE_KEY = 'notice';
  /** storage.local: present while the settings live in local storage because sync refused them (its per-item quota). */
  const STORAGE_NOTICE_KEY = 'storageNotice';
  const CATEGORIES = Object.freeze(['ads', 'promos', 'related', 'comments', 'social']);
  const DEFAULT_CATEGORIES = Object.freeze({ ads: true, promos: true, related: false, comments: false, social: false });
  /** Limits that keep a damaged or hostile object from growing without bound. */
  const MAX_SITES = 1_000;
  const MAX_HOST_CHARS = 253;
  const MAX_RULES_CHARS = 200_000;

  function defaults() {
    return { version: VERSION, categories: { ...DEFAULT_CATEGORIES }, sites: {}, autoClean: [], neverTouch: [], rules: '' };
  }

  /**
   * A lower-case host name (letters, digits, dots, dashes; IP addresses too), or null. Kept whole
   * (www. included): it names the site's permission, whose match pattern must cover the pages.
   */
  function normalizeHost(value) {
    if (typeof value !== 'string') return null;
    const host = value.trim().toLowerCase();
    if (host.length === 0 || host.length > MAX_HOST_CHARS) return null;
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(host)) return null;
    return host;
  }

  /** The host a settings entry is keyed by, for a page URL (http and https only), or null. */
  function hostOf(url) {
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
      return normalizeHost(parsed.hostname);
    } catch {
      return null;
    }
  }

  /** The match patterns of a site's optional host permission (both schemes, the site and its subdomains are not included: exactly this host). */
  function originsFor(host) {
    return [`http://${host}/*`, `https://${host}/*`];
  }

  function isPlainObject(value) {
    // (Objects may come from another realm: storage answers, structured clones.)
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      && Object.prototype.toString.call(value) === '[object Object]';
  }

  /** `{ value, problems }`: a full category map from a possibly partial or damaged one. */
  function repairCategories(raw, fallback, where) {
    const problems = [];
    const value = { ...fallback };
    if (!isPlainObject(raw)) {
      problems.push(where);
      return { value, problems };
    }
    for (const [key, flag] of Object.entries(raw)) {
      if (!CATEGORIES.includes(key)) problems.push(`${where}.${key}`);
      else if (typeof flag !== 'boolean') problems.push(`${where}.${key}`);
      else value[key] = flag;
    }
    return { value, problems };
  }

  function repairHostList(raw, where) {
    const problems = [];
    if (!Array.isArray(raw)) return { value: [], problems: [where] };
    const hosts = [];
    for (const entry of raw) {
      const host = normalizeHost(entry);
      if (host === null) problems.push(where);
      else if (!hosts.includes(host)) hosts.push(host);
      if (hosts.length >= MAX_SITES) break;
    }
    return { value: hosts, problems: [...new Set(problems)] };
  }

  /**
   * Repairs a stored settings object field by field. Returns `{ settings, problems }`: valid
   * settings, and the names of the fields that were missing or damaged (empty when `raw` was
   * valid). `undefined` (nothing stored yet) is not a problem.
   */
  function repair(raw) {
    const settings = defaults();
    if (raw === undefined) return { settings, problems: [] };
    if (!isPlainObject(raw)) return { settings, problems: ['settings'] };
    if (raw.version !== VERSION) {
      // Another format (older, newer or unversioned): keep what still reads as valid, but say so.
      const problems = ['version'];
      const repaired = repair({ ...raw, version: VERSION });
      return { settings: repaired.settings, problems: [...problems, ...repaired.problems] };
    }
    const problems = [];
    for (const key of Object.keys(raw)) if (!(key in settings)) problems.push(key);

    const categories = repairCategories(raw.categories, DEFAULT_CATEGORIES, 'categories');
    settings.categories = categories.value;
    problems.push(...categories.problems);

    if (isPlainObject(raw.sites)) {
      for (const [key, site] of Object.entries(raw.sites).slice(0, MAX_SITES)) {
        const host = normalizeHost(key);
        if (host === null || !isPlainObject(site)) {
          problems.push('sites');
          continue;
        }
        const siteCategories = repairCategories(site.categories, settings.categories, `sites.${host}.categories`);
        problems.push(...siteCategories.problems);
        if (Object.keys(site).some((field) => field !== 'categories')) problems.push(`sites.${host}`);
        settings.sites[host] = { categories: siteCategories.value };
      }
    } else {
      problems.push('sites');
    }

    for (const field of ['autoClean', 'neverTouch']) {
      const list = repairHostList(raw[field], field);
      settings[field] = list.value;
      problems.push(...list.problems);
    }

    if (typeof raw.rules === 'string' && raw.rules.length <= MAX_RULES_CHARS) settings.rules = raw.rules;
    else problems.push('rules');

    return { settings, problems: [...new Set(problems)] };
  }

  /** The categories that apply on `host`: its own choice if the reader made one, else the global one. */
  function categoriesFor(settings, host) {
    const site = host && Object.prototype.hasOwnProperty.call(settings.sites, host) ? settings.sites[host] : null;
    return { ...(site ? site.categories : settings.categories) };
  }

  /** True when `host` or one of its parent domains is on the "never touch" list. */
  function isNeverTouched(settings, host) {
    if (!host) return false;
    return settings.neverTouch.some((listed) => host === listed || host.endsWith(`.${listed}`));
  }

  /** Options for core.cleanAsync / previewAsync on `host`, plus the reader's rule list. */
  function cleanOptionsFor(settings, host) {
    return { categories: categoriesFor(settings, host), rules: settings.rules };
  }

  // ----- rule lines (the syntax itself is checked by the Rust core, parseUserRules) -----

  /**
   * A site rule for a selector the extension generated (picker, "Keep this"): `host##selector`
   * or `host#@#selector`. Returns null for a selector that cannot be one line of a rule list.
   */
  function siteRuleLine(host, selector, { exception = false } = {}) {
    const site = normalizeHost(host);
    if (!site || typeof selector !== 'string') return null;
    const trimmed = selector.trim();
    if (trimmed.length === 0 || trimmed.length > 900 || /[\r\n\0{};]/.test(trimmed)) return null;
    return `${site}${exception ? '#@#' : '##'}${trimmed}`;
  }

  /** The rule list with `line` added at its end (unchanged when the line is already in it). */
  function appendRuleLine(text, line) {
    const lines = text.split(/\r?\n/);
    if (lines.some((existing) => existing.trim() === line)) return text;
    const base = text.replace(/\s+$/, '');
    return base.length === 0 ? `${line}\n` : `${base}\n${line}\n`;
  }

  /**
   * Merges an imported list into the reader's list: every imported line that is not blank, not
   * already present, and not reported in `errors` (the core's `{ line }` numbers, 1-based, of
   * the imported text) is appended in order. Returns `{ text, added, skipped }`.
   */
  function mergeImportedRules(existing, imported, errors = []) {
    const bad = new Set(errors.map((error) => error.line));
    const present = new Set(existing.split(/\r?\n/).map((line) => line.trim()).filter(Boolean));
    const added = [];
    imported.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.trim();
      if (line.length === 0 || bad.has(index + 1) || present.has(line)) return;
      present.add(line);
      added.push(line);
    });
    const base = existing.replace(/\s+$/, '');
    const text = added.length === 0 ? existing : `${base}${base.length ? '\n' : ''}${added.join('\n')}\n`;
    return { text, added: added.length, skipped: bad.size };
  }

  // ----- storage -----

  /** The storage area settings live in: sync where the browser offers it, else local. */
  function areaOf(api) {
    return api.storage.sync ?? api.storage.local;
  }

  async function readRaw(api) {
    for (const area of [api.storage.sync, api.storage.local]) {
      if (!area) continue;
      try {
        const stored = await area.get(STORAGE_KEY);
        if (stored && stored[STORAGE_KEY] !== undefined) return stored[STORAGE_KEY];
      } catch {
        // sync may be disabled (policy, no account support): fall through to local.
      }
    }
    return undefined;
  }

  /**
   * Saves settings (repaired first, so nothing invalid is ever written). Writes to sync, or to
   * local if sync refuses (unavailable, or the object is over its per-item quota).
   */
  async function save(api, settings) {
    const { settings: clean } = repair(settings);
    try {
      await areaOf(api).set({ [STORAGE_KEY]: clean });
      if (api.storage.sync) {
        await api.storage.local.remove(STORAGE_KEY).catch(() => {});
        await clearStorageNotice(api);
      }
    } catch (error) {
      await api.storage.local.set({ [STORAGE_KEY]: clean });
      await api.storage.sync?.remove(STORAGE_KEY).catch(() => {});
      // No surprise: the reader is told their settings no longer follow them to other devices.
      if (api.storage.sync) {
        const reason = String((error && error.message) || error).slice(0, 200);
        const bytes = JSON.stringify(clean).length + STORAGE_KEY.length;
        await api.storage.local.set({ [STORAGE_NOTICE_KEY]: { area: 'local', reason, bytes, at: Date.now() } }).catch(() => {});
      }
    }
    return clean;
  }

  async function clearStorageNotice(api) {
    try {
      const stored = await api.storage.local.get(STORAGE_NOTICE_KEY);
      if (stored && stored[STORAGE_NOTICE_KEY] !== undefined) await api.storage.local.remove(STORAGE_NOTICE_KEY);
    } catch {
      // Nothing to clear, or local storage unavailable: the notice stays as it was.
    }
  }

  /**
   * `{ bytes }` while the settings are kept in storage.local because storage.sync refused them
   * (too big for one sync item: the reader's rule list), else null. The options page shows it.
   */
  async function readStorageNotice(api) {
    try {
      const stored = await api.storage.local.get(STORAGE_NOTICE_KEY);
      const notice = stored && stored[STORAGE_NOTICE_KEY];
      if (!isPlainObject(notice)) return null;
      return { bytes: Number.isInteger(notice.bytes) && notice.bytes > 0 ? notice.bytes : null };
    } catch {
      return null;
    }
  }

  /**
   * Loads settings, repairing them. Damaged ones are written back repaired, with a notice
   * `{ fields, at }` in storage.local for the popup and options page.
   */
  async function load(api) {
    const raw = await readRaw(api);
    const { settings, problems } = repair(raw);
    if (problems.length > 0) {
      await save(api, settings).catch(() => {});
      await api.storage.local.set({ [NOTICE_KEY]: { fields: problems.slice(0, 20), at: Date.now() } }).catch(() => {});
    }
    return settings;
  }

  /** Loads, changes (with `change(settings)`, which may mutate it) and saves; returns the saved settings. */
  async function update(api, change) {
    const settings = await load(api);
    await change(settings);
    return save(api, settings);
  }

  /** The repair notice to show, or null. */
  async function readNotice(api) {
    try {
      const stored = await api.storage.local.get(NOTICE_KEY);
      const notice = stored && stored[NOTICE_KEY];
      return isPlainObject(notice) && Array.isArray(notice.fields) ? { fields: notice.fields.filter((field) => typeof field === 'string') } : null;
    } catch {
      return null;
    }
  }

  function dismissNotice(api) {
    return api.storage.local.remove(NOTICE_KEY);
  }

  root.UnsponsorSettings = Object.freeze({
    VERSION, STORAGE_KEY, NOTICE_KEY, STORAGE_NOTICE_KEY, CATEGORIES, DEFAULT_CATEGORIES,
    defaults, repair, normalizeHost, hostOf, originsFor, categoriesFor, isNeverTouched, cleanOptionsFor,
    siteRuleLine, appendRuleLine, mergeImportedRules,
    load, save, update, readNotice, dismissNotice, readStorageNotice,
  });
})(globalThis);
