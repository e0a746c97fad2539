/*
 * htmx under the site's Content-Security-Policy (script-src 'self', style-src 'self', no 'unsafe-eval').
 *
 * - allowEval off: hx-on, hx-vars, "js:" values and [filters] in hx-trigger would need eval; none is used,
 *   and with this off a new one fails plainly (htmx:evalDisallowedError) rather than as a CSP violation.
 * - no <script> run from swapped fragments: behaviour lives in static files.
 * - no injected <style> for .htmx-indicator: static/css/app.css has those rules.
 * - no settle delay: htmx makes swapped-in content live (its hx- attributes, autofocus) when it settles,
 *   20 ms after the swap by default, but gives the focus back to the element with the same id at once. A
 *   keyboard user who moved on and pressed Enter in those 20 ms (a "Comment" link in a proposals region just
 *   redrawn by a vote or a poll) activated a plain link or form: the browser left the page. Settled in the
 *   same task as the swap, new content is live before any key or click can reach it. (The delay only lets a
 *   CSS transition run between the old and new class or style of an element keeping its id: a vote button
 *   now changes colour at once rather than over 0.15 s.)
 *
 * Loaded with `defer` right after htmx: it runs before htmx starts (on DOMContentLoaded) and before htmx
 * merges a page's <meta name="htmx-config">, so both apply.
 */
htmx.config.allowEval = false;
htmx.config.allowScriptTags = false;
htmx.config.includeIndicatorStyles = false;
htmx.config.defaultSettleDelay = 0;
