/** The console's stylesheet: system fonts only, nothing fetched from elsewhere. */
export const CONSOLE_CSS = `
:root { --fg:#1d232b; --muted:#5f6b7a; --line:#d8dee6; --bg:#f5f7fa; --card:#fff; --accent:#1e63b8; --bad:#c62828; --warn:#e08a00; --ok:#2e7d32; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", sans-serif; color:var(--fg); background:var(--bg); }
header.top { display:flex; align-items:center; gap:24px; padding:10px 24px; background:#1d2733; color:#fff; }
header.top a { color:#dfe7f1; text-decoration:none; }
header.top .brand { font-weight:600; font-size:16px; color:#fff; }
header.top nav { display:flex; gap:16px; flex:1; }
header.top .who { display:flex; gap:10px; align-items:center; margin:0; }
main { max-width:1280px; margin:0 auto; padding:16px 24px 48px; }
section.card { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:14px 18px; margin:16px 0; }
section.card > h2 { margin:0 0 10px; font-size:17px; }
table.grid { border-collapse:collapse; width:100%; }
table.grid th, table.grid td { border-bottom:1px solid var(--line); padding:5px 8px; text-align:left; vertical-align:top; }
table.grid thead th { background:#eef2f6; font-weight:600; white-space:nowrap; }
.num { text-align:right !important; font-variant-numeric:tabular-nums; }
.muted, .empty { color:var(--muted); }
.chart { position:relative; width:100%; margin-bottom:12px; }
.swatch { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:5px; }
.tag { display:inline-block; font-size:12px; padding:0 6px; border-radius:8px; background:#e8edf3; }
.tag-open { background:#e3f1e4; color:var(--ok); }
.tag-warn { background:#fff1d6; color:#8a5300; }
.role { font-size:12px; padding:0 6px; border-radius:8px; background:#39495b; }
.role-operator { background:#2e7d32; }
button { font:inherit; padding:3px 12px; border-radius:4px; border:1px solid #9fb0c4; background:#fff; cursor:pointer; }
button:disabled { cursor:not-allowed; opacity:.5; }
form.inline { display:inline; margin:0; }
.scroll { overflow-x:auto; }
table.recon { width:auto; }
table.recon td.cell { text-align:center; white-space:nowrap; font-size:13px; min-width:130px; }
table.recon th[scope=row] { padding-right:24px; }
.cell-ok { background:#f1f8f1; }
.cell-warn { background:#fff7e6; }
.cell-silent, .legend-silent { background:var(--bad); color:#fff; font-weight:700; }
.legend-silent { padding:0 4px; border-radius:3px; }
.cell-none { color:#b0b8c2; }
tr.row-silent th { color:var(--bad); }
.code-badge { display:inline-block; border-left:4px solid; padding-left:4px; margin-top:2px; font-size:12px; }
.ok { color:var(--ok); }
.alert { background:#fdecea; border:1px solid #f5c2c0; color:#8e1c1c; padding:8px 12px; border-radius:4px; }
.notice { background:#e8f1fb; border:1px solid #b9d3f0; padding:8px 12px; border-radius:4px; }
code.params { font-size:12px; color:var(--muted); }
.login { max-width:420px; margin:80px auto; }
.login input[type=password] { width:100%; padding:6px 8px; font:inherit; margin:8px 0 12px; }
`;
