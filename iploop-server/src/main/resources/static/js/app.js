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
    // Saves the text of the element named by data-download-target as a file (backup codes).
    var download = e.target.closest('[data-download-target]');
    if (download) {
      var src = document.getElementById(download.getAttribute('data-download-target'));
      if (!src) { return; }
      var url = URL.createObjectURL(new Blob([src.textContent.trim() + '\n'], { type: 'text/plain' }));
      var a = document.createElement('a');
      a.href = url;
      a.download = download.getAttribute('data-download-name') || 'download.txt';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
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
  // A failed refresh keeps the last content and says so (docs/product/dashboard.md#errors-and-states).
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

/*
 * The "build your proxy URL" form of the endpoints page (docs/product/dashboard.md#proxy-endpoints-page, docs/product/proxy.md#credentials): composes
 * USERNAME:API_KEY[-name-value]* and fills the code examples. Presentation only: the gateway
 * validates every parameter and answers 400 naming the one it refuses.
 */
/* The one-time key display hands the full key to the builder through sessionStorage (this tab only, read once). */
document.addEventListener('click', function (e) {
  var a = e.target.closest && e.target.closest('[data-builder-key]');
  if (a) { try { sessionStorage.setItem('iploop.builderKey', a.getAttribute('data-builder-key')); } catch (ignored) { /* private mode */ } }
});

window.proxyBuilder = function () {
  var cfg = window.IPLoop.json('endpoint-config') || {};
  var handed = '';
  try { handed = sessionStorage.getItem('iploop.builderKey') || ''; sessionStorage.removeItem('iploop.builderKey'); } catch (ignored) { /* private mode */ }
  var prefixes = Array.prototype.map.call(document.querySelectorAll('#b-key option'), function (o) { return o.value; })
    .filter(function (v) { return v; });
  function prefixOf(key) {
    for (var i = 0; i < prefixes.length; i++) { if (key.indexOf(prefixes[i]) === 0) { return prefixes[i]; } }
    return '';
  }
  return {
    keyPrefix: prefixOf(handed) || cfg.keyPrefix || '',
    secret: handed,
    init: function () {
      // Pasting a key selects the key it belongs to.
      this.$watch('secret', function (v) { var p = prefixOf(v); if (p) { this.keyPrefix = p; } }.bind(this));
    },
    /* A full key (iploop_ + 48 hex) of one of the caller's active keys; anything else would answer 407. */
    get secretMismatch() {
      return this.secret !== '' && (!/^iploop_[0-9a-f]{48}$/.test(this.secret) || prefixOf(this.secret) !== this.keyPrefix);
    },
    country: '', city: '', session: '', sesstype: '', lifetime: '',
    tab: 'cURL',
    get key() {
      // Never a truncated key: it would answer 407. Until the full key is pasted the examples say API_KEY.
      return this.secret && !this.secretMismatch ? this.secret : 'API_KEY';
    },
    get sessionInvalid() { return this.session !== '' && !/^[A-Za-z0-9_]{1,64}$/.test(this.session); },
    get password() {
      var p = this.key;
      if (this.country) { p += '-country-' + this.country; }
      if (this.city) {
        // The gateway's matching form (LocationKeys.name): accents dropped, other than a-z and 0-9 one _,
        // so "São Paulo" is sao_paulo and "St. Louis" st_louis; targeting accepts nothing else.
        var city = this.city.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
          .replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
        if (city) { p += '-city-' + city; }
      }
      if (this.session && !this.sessionInvalid) { p += '-session-' + this.session; }
      if (this.sesstype) { p += '-sesstype-' + this.sesstype; }
      if ((this.sesstype === 'sticky' || this.sesstype === 'strict') && this.lifetime) { p += '-lifetime-' + this.lifetime; }
      return p;
    },
    get credentials() { return cfg.user + ':' + this.password; },
    get httpUrl() { return 'http://' + this.credentials + '@' + cfg.host + ':' + cfg.httpPort; },
    newSession: function () {
      var chars = 'abcdefghijklmnopqrstuvwxyz0123456789', s = '';
      for (var i = 0; i < 10; i++) { s += chars.charAt(Math.floor(Math.random() * chars.length)); }
      this.session = s;
      if (!this.sesstype) { this.sesstype = 'sticky'; }
    },
    get example() {
      var url = this.httpUrl, target = 'https://httpbin.org/ip';
      switch (this.tab) {
        case 'Python':
          return 'import requests\n\nproxy = "' + url + '"\nr = requests.get("' + target + '", proxies={"http": proxy, "https": proxy})\nprint(r.status_code, r.text)';
        case 'Node.js':
          return "// npm install axios https-proxy-agent\nconst axios = require('axios');\nconst { HttpsProxyAgent } = require('https-proxy-agent');\n\n"
            + "const agent = new HttpsProxyAgent('" + url + "');\naxios.get('" + target + "', { httpsAgent: agent, proxy: false })\n"
            + "  .then(r => console.log(r.status, r.data));";
        case 'Java':
          return '// run with -Djdk.http.auth.tunneling.disabledSchemes= (the JDK disables Basic proxy auth for HTTPS by default)\n'
            + 'var client = HttpClient.newBuilder()\n'
            + '    .proxy(ProxySelector.of(new InetSocketAddress("' + cfg.host + '", ' + cfg.httpPort + ')))\n'
            + '    .authenticator(new Authenticator() {\n'
            + '        protected PasswordAuthentication getPasswordAuthentication() {\n'
            + '            return new PasswordAuthentication("' + cfg.user + '", "' + this.password + '".toCharArray());\n'
            + '        }\n    })\n    .build();\n'
            + 'var response = client.send(HttpRequest.newBuilder(URI.create("' + target + '")).build(),\n'
            + '    HttpResponse.BodyHandlers.ofString());\nSystem.out.println(response.body());';
        case 'SOCKS5':
          return 'curl --socks5-hostname ' + cfg.host + ':' + cfg.socksPort + ' --proxy-user \'' + this.credentials + '\' ' + target;
        default:
          return "curl -x '" + url + "' " + target;
      }
    }
  };
};

/* Charts of the analytics and usage pages (docs/product/usage.md#analytics) from the #chart-data JSON. */
(function () {
  'use strict';
  var charts = [];
  function draw() {
    var data = window.IPLoop.json('chart-data');
    if (!data || typeof Chart === 'undefined') { return; }
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    var c = window.IPLoop.chartColors(), pal = window.IPLoop.palette;
    var still = window.matchMedia && matchMedia('(prefers-reduced-motion: reduce)').matches;
    Chart.defaults.color = c.text;
    Chart.defaults.borderColor = c.grid;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.animation = still ? false : Chart.defaults.animation;
    Chart.defaults.maintainAspectRatio = false;
    function add(id, config) {
      var el = document.getElementById(id);
      if (el) { charts.push(new Chart(el, config)); }
    }
    function area(color) {
      return function (ctx) {
        var area = ctx.chart.chartArea;
        if (!area) { return color + '33'; }
        var g = ctx.chart.ctx.createLinearGradient(0, area.top, 0, area.bottom);
        g.addColorStop(0, color + '66');
        g.addColorStop(1, color + '05');
        return g;
      };
    }
    if (data.daily) {
      add('chart-daily', { type: 'line', data: { labels: data.daily.labels, datasets: [
        { label: 'Requests', data: data.daily.requests, borderColor: pal[0], backgroundColor: area(pal[0]), fill: true, tension: .3, pointRadius: 2 },
        { label: 'Successful streams', data: data.daily.successful, borderColor: pal[1], backgroundColor: 'transparent', tension: .3, pointRadius: 0 }
      ] }, options: { interaction: { mode: 'index', intersect: false },
        plugins: { tooltip: { callbacks: { footer: function (items) { return data.daily.mb[items[0].dataIndex] + ' MB transferred'; } } } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } });
      add('chart-bandwidth', { type: 'bar', data: { labels: data.daily.labels, datasets: [
        { label: 'MB', data: data.daily.mb, backgroundColor: pal[0], borderRadius: 4 }] },
        options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } } });
      add('chart-usage-daily', { type: 'line', data: { labels: data.daily.labels, datasets: [
        { label: 'Requests', data: data.daily.requests, borderColor: pal[0], backgroundColor: area(pal[0]), fill: true, tension: .3, yAxisID: 'y' },
        { label: 'MB', data: data.daily.mb, borderColor: pal[1], backgroundColor: area(pal[1]), fill: true, tension: .3, yAxisID: 'mb' },
        { label: 'Errors', data: data.daily.failed, borderColor: pal[3], backgroundColor: 'transparent', tension: .3, yAxisID: 'y' }
      ] }, options: { interaction: { mode: 'index', intersect: false },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Requests' } },
                  mb: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'MB' } } } } });
    }
    function pie(id, s, values) {
      add(id, { type: 'doughnut', data: { labels: s.labels, datasets: [{ data: values, backgroundColor: pal, borderWidth: 0 }] },
        options: { plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { label: function (ctx) {
          var total = values.reduce(function (a, b) { return a + b; }, 0) || 1;
          return ctx.label + ': ' + ctx.parsed + ' (' + Math.round(ctx.parsed * 100 / total) + '%, ' + s.mb[ctx.dataIndex] + ' MB)';
        } } } } } });
    }
    if (data.countries) { pie('chart-countries', data.countries, data.countries.requests); }
    if (data.status) { pie('chart-status', data.status, data.status.streams); }
    // Earn pages (docs/product/earn.md#earn-dashboard): USD per period as an area chart, credits per device as stacked bars.
    function day(iso, monthly) {
      return new Date(iso + 'T00:00:00Z').toLocaleDateString('en', monthly
        ? { month: 'short', year: 'numeric', timeZone: 'UTC' } : { month: 'short', day: 'numeric', timeZone: 'UTC' });
    }
    if (data.earnings) {
      var monthly = data.unit === 'monthly';
      add('chart-earnings', { type: 'line', data: { labels: data.earnings.labels.map(function (l) { return day(l, monthly); }), datasets: [
        { label: 'USD earned', data: data.earnings.usd, borderColor: pal[1], backgroundColor: area(pal[1]), fill: true, tension: .3, pointRadius: 2 }
      ] }, options: { interaction: { mode: 'index', intersect: false }, plugins: { legend: { display: false },
        tooltip: { callbacks: {
          label: function (ctx) { return '$' + Number(ctx.parsed.y).toFixed(3) + ' (' + data.earnings.credits[ctx.dataIndex] + ' credits)'; },
          footer: function (items) { return data.earnings.gb[items[0].dataIndex] + ' GB shared'; } } } },
        scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return '$' + v; } } } } } });
    }
    if (data.devices && data.devices.datasets.length) {
      add('chart-devices', { type: 'bar', data: { labels: data.devices.labels.map(function (l) { return day(l, false); }), datasets: data.devices.datasets.map(function (d, i) {
        return { label: d.label, data: d.data, backgroundColor: pal[i % pal.length], borderRadius: 2 };
      }) }, options: { plugins: { legend: { position: 'bottom' } }, interaction: { mode: 'index', intersect: false },
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Credits' } } } } });
    }
    if (data.hourly) {
      add('chart-hourly', { type: 'bar', data: { labels: data.hourly.labels.map(function (h) { return h + ':00'; }), datasets: [
        { label: 'Requests', data: data.hourly.requests, backgroundColor: pal[0], borderRadius: 4 }] },
        options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } });
    }
  }
  document.addEventListener('DOMContentLoaded', draw);
  document.addEventListener('iploop:theme', draw);
})();

/* Lock ends and similar moments in the reader's own time: "in 15 minutes, at 23:45" (fragments/ui :: retryAt). */
(function () {
  'use strict';
  function localise() {
    document.querySelectorAll('time[data-local-time]').forEach(function (t) {
      var at = new Date(t.getAttribute('datetime'));
      if (isNaN(at)) { return; }
      var minutes = Math.max(1, Math.ceil((at - Date.now()) / 60000));
      var inText = minutes < 60 ? minutes + (minutes === 1 ? ' minute' : ' minutes')
        : Math.ceil(minutes / 60) + (Math.ceil(minutes / 60) === 1 ? ' hour' : ' hours');
      t.textContent = 'in ' + inText + ', at ' + at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      t.title = at.toLocaleString();
    });
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', localise); } else { localise(); }
})();

// Live campaign visits (docs/campaigns.md#live-pulse): a table with data-live-stream="URL" gets one row per
// "hit" event of that Server-Sent-Events stream, newest first, at most 50 rows.
(function () {
  function start() {
    document.querySelectorAll('table[data-live-stream]').forEach(function (table) {
      var body = table.tBodies[0];
      var dropped = table.closest('.card') ? table.closest('.card').querySelector('[data-live-dropped]') : null;
      var source = new EventSource(table.getAttribute('data-live-stream'));
      source.addEventListener('hit', function (e) {
        var hit = JSON.parse(e.data);
        var row = body.insertRow(0);
        row.setAttribute('data-test', 'live-row');
        [new Date().toLocaleTimeString(), hit.project_id, hit.url, hit.country || ''].forEach(function (text) {
          row.insertCell().textContent = text;
        });
        while (body.rows.length > 50) { body.deleteRow(body.rows.length - 1); }
      });
      source.addEventListener('dropped', function (e) {
        if (dropped) { dropped.textContent = JSON.parse(e.data).count + ' visits not shown (the page fell behind)'; }
      });
    });
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
