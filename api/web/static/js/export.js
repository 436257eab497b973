// Export of a ledger: CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese) and XLSX (the vendored
// write-excel-file, global writeXlsxFile), both made in the browser from rows the API already returned.

/** RFC 4180 CSV: every field quoted when it holds a comma, quote or line break. */
export function toCsv(header, rows) {
  const field = (v) => {
    const s = String(v ?? "");
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(field).join(",")).join("\r\n");
}

function save(blob, filename) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

export async function download(format, name, title, header, rows) {
  if (format === "csv") {
    save(new Blob(["\ufeff", toCsv(header, rows)], { type: "text/csv;charset=utf-8" }), `${name}.csv`);
    return;
  }
  const cell = (v) => (typeof v === "number" ? v : String(v ?? ""));
  const data = [header.map((t) => ({ value: t, fontWeight: "bold" })), ...rows.map((r) => r.map(cell))];
  const blob = await window.writeXlsxFile(data, { sheet: title.slice(0, 31) }).toBlob();
  save(blob, `${name}.xlsx`);
}
