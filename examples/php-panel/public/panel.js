// panel.js - the copy button of the one-time secret box (a file of its own: the CSP allows no inline script).
document.addEventListener('click', (event) => {
  const target = event.target.closest('[data-copy-target]');
  if (!target) return;
  const input = document.getElementById(target.dataset.copyTarget);
  input.select();
  if (navigator.clipboard) navigator.clipboard.writeText(input.value).catch(() => document.execCommand('copy'));
  else document.execCommand('copy');
});
