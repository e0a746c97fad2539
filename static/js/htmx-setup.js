/*
 * htmx under the site's Content-Security-Policy (script-src 'self', style-src 'self', no 'unsafe-eval').
 *
 * - allowEval off: hx-on, hx-vars, "js:" values and [filters] in hx-trigger would need eval; none is used,
 *   and with this off a new one fails plainly (htmx:evalDisallowedError) rather than as a CSP violation.
 * - no <script> run from swapped fragments: behaviour lives in static files.
 * - no injected <style> for .htmx-indicator: static/css/app.css has those rules.
 *
 * Loaded with `defer` right after htmx: it runs before htmx starts (on DOMContentLoaded) and before htmx
 * merges a page's <meta name="htmx-config">, so both apply.
 */
htmx.config.allowEval = false;
htmx.config.allowScriptTags = false;
htmx.config.includeIndicatorStyles = false;
