// The print button of the printable reports (/api/v1/offices/{office}/ikm/report.html): the CSP allows no inline script.
document.getElementById('print')?.addEventListener('click', () => window.print());
