// The confirmation asked before every action (nsqadmin uses bootbox.confirm), as a native modal <dialog>.

/** Shows `html` (already escaped) and resolves true when OK is chosen, false on Cancel or Escape. */
export function confirmAction(html, okLabel = 'OK') {
  const dialog = document.getElementById('confirm-dialog');
  document.getElementById('confirm-text').innerHTML = html;
  document.getElementById('confirm-ok').textContent = okLabel;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
  });
}
