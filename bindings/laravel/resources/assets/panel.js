// panel.js - the panel pages' one script: the Copy button of the one-time secret (data-copy-target).
'use strict';
document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-copy-target]');
  if (!button) return;
  const input = document.getElementById(button.dataset.copyTarget);
  if (!input) return;
  input.select();
  if (navigator.clipboard) {
    navigator.clipboard.writeText(input.value).then(() => { button.textContent = 'Copied'; }, () => {});
  }
});
