/*
 * IPLoop dashboard behaviour shared by every page: theme toggle (saved in localStorage), CSRF
 * header on htmx requests, copy buttons, the world map of the overview and Chart.js defaults.
 * Page-specific data travel in <script type="application/json"> elements, never inline code.
 */
(function () {
  'use strict';

  function theme() { return document.documentElement.getAttribute('data-bs-theme') || 'light'; }

  document.addEventListener('click', function (e) {
    var toggle = e.target.closest('[data-theme-toggle]');
    if (toggle) {
      var next = theme() === 'dark' ? 'light' : 'dark';
      document.documentElement.setAttribute('data-bs-theme', next);
      localStorage.setItem('iploop-theme', next);
      document.dispatchEvent(new CustomEvent('iploop:theme', { detail: next }));
      return;
    }
    var copy = e.target.closest('[data-copy-target]');
    if (copy) {
      var el = document.getElementById(copy.getAttribute('data-copy-target'));
      if (!el) { return; }
      var text = ('value' in el && el.tagName !== 'BUTTON') ? el.value : el.textContent;
      copyText(text.trim()).then(function () {
        copy.classList.add('copied');
        var label = copy.querySelector('.copy-text');
        if (label) { label.textContent = 'Copied'; }
        setTimeout(function () { copy.classList.remove('copied'); if (label) { label.textContent = 'Copy'; } }, 2000);
      });
    }
  });

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return Promise.resolve(legacyCopy(text));
  }

  function legacyCopy(text) {
    var ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    try { document.execCommand('copy'); } catch (ignored) { /* the text stays selectable */ }
    document.body.removeChild(ta);
  }

  // htmx: send Spring Security's CSRF token with every request (state-changing ones need it).
  document.addEventListener('htmx:configRequest', function (e) {
    var token = document.querySelector('meta[name="_csrf"]');
    var header = document.querySelector('meta[name="_csrf_header"]');
    if (token && header) { e.detail.headers[header.content] = token.content; }
  });
  // A failed refresh keeps the last content and says so (seed 001 §16.4).
  document.addEventListener('htmx:responseError', function (e) { showRefreshError(e.detail.elt, 'The server answered with an error.'); });
  document.addEventListener('htmx:sendError', function (e) { showRefreshError(e.detail.elt, 'Failed to connect to server.'); });
  document.addEventListener('htmx:afterSwap', function () {
    document.querySelectorAll('[data-refresh-error]').forEach(function (n) { n.remove(); });
    initMap();
  });

  function showRefreshError(elt, text) {
    if (!elt || elt.querySelector('[data-refresh-error]')) { return; }
    var div = document.createElement('div');
    div.className = 'alert alert-warning mt-2';
    div.setAttribute('role', 'alert');
    div.setAttribute('data-refresh-error', '');
    div.textContent = text + ' Showing the last data; retrying automatically.';
    elt.prepend(div);
  }

  // ---- World map of nodes by country (jsvectormap from the Tabler webjar, world shapes included) ----
  var map = null;
  function initMap() {
    var el = document.getElementById('world-map');
    var data = document.getElementById('world-map-data');
    if (!el || !data || typeof jsVectorMap === 'undefined') { return; }
    var values = JSON.parse(data.textContent || '{}');
    if (map) { try { map.destroy(); } catch (ignored) { /* already gone with the swapped DOM */ } map = null; }
    el.innerHTML = '';
    var dark = theme() === 'dark';
    map = new jsVectorMap({
      selector: el,
      map: 'world',
      zoomButtons: false,
      zoomOnScroll: false,
      backgroundColor: 'transparent',
      regionStyle: {
        initial: { fill: dark ? '#3f3f46' : '#e4e4e7', stroke: dark ? '#18181b' : '#ffffff', strokeWidth: .5, fillOpacity: 1 },
        hover: { fillOpacity: .8, cursor: 'default' }
      },
      series: Object.keys(values).length ? {
        regions: [{ attribute: 'fill', values: values, scale: ['#93c5fd', '#1d4ed8'], normalizeFunction: 'polynomial' }]
      } : undefined,
      onRegionTooltipShow: function (event, tooltip, code) {
        var n = values[code] || 0;
        tooltip.text(tooltip.text() + ': ' + n + (n === 1 ? ' node' : ' nodes'));
      }
    });
  }
  window.addEventListener('load', initMap);
  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(initMap, 100);
  });
  document.addEventListener('iploop:theme', initMap);

  // ---- Chart.js defaults that follow the theme ----
  window.IPLoop = {
    palette: ['#3b82f6', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#06b6d4'],
    chartColors: function () {
      var dark = theme() === 'dark';
      return { text: dark ? '#a1a1aa' : '#52525b', grid: dark ? 'rgba(255,255,255,.08)' : 'rgba(24,24,27,.08)' };
    },
    json: function (id) {
      var el = document.getElementById(id);
      return el ? JSON.parse(el.textContent) : null;
    }
  };
})();
