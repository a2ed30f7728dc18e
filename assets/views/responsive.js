/* Tablets and phones, and assistive technology (issue 11): no server round trip.
 *
 * 1. A button with class hv-toggle folds its aria-controls target in and out (the navbar
 *    and the controls and filters of a desk view, both below 1200 px).
 * 2. Tables that scroll sideways inside their card become focusable (keyboard scrolling).
 * 3. Two fixes of Dash 4's own components, kept in place as React re-renders them:
 *    - dcc.Dropdown makes an aria-hidden input the tab stop that forwards focus to its
 *      untabbable button (axe: aria-hidden-focus); the button becomes the tab stop instead.
 *    - dcc.DatePickerSingle/Range puts aria-expanded on a div without a role (axe:
 *      aria-allowed-attr); the popup is announced by its own dialog, so it is dropped.
 */
(function () {
  'use strict';

  document.addEventListener('click', function (event) {
    var button = event.target && event.target.closest ? event.target.closest('.hv-toggle') : null;
    if (!button) return;
    var target = document.getElementById(button.getAttribute('aria-controls') || '');
    if (!target) return;
    var open = !target.classList.contains('show');
    target.classList.toggle('show', open);
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
  });

  function repair() {
    if (!document.querySelector('.hv-page')) return; // the wall has none of these
    var wrappers = document.querySelectorAll('.dash-dropdown-wrapper');
    for (var i = 0; i < wrappers.length; i++) {
      var focus = wrappers[i].querySelector('.dash-dropdown-focus-target');
      var button = wrappers[i].querySelector('button.dash-dropdown');
      if (focus && focus.getAttribute('tabindex') !== '-1') focus.setAttribute('tabindex', '-1');
      if (button && !button.disabled && button.getAttribute('tabindex') !== '0') {
        button.setAttribute('tabindex', '0');
      }
    }
    var pickers = document.querySelectorAll('.dash-datepicker-input-wrapper[aria-expanded]');
    for (var j = 0; j < pickers.length; j++) pickers[j].removeAttribute('aria-expanded');
    // A table that scrolls sideways inside its card (small screens) takes the keyboard's
    // focus, so it can be scrolled with the arrow keys (axe: scrollable-region-focusable).
    var tables = document.querySelectorAll('.hv-panel .hv-table');
    for (var k = 0; k < tables.length; k++) {
      var scrolls = getComputedStyle(tables[k]).overflowX === 'auto';
      if (scrolls && tables[k].getAttribute('tabindex') !== '0') {
        tables[k].setAttribute('tabindex', '0');
      } else if (!scrolls && tables[k].hasAttribute('tabindex')) {
        tables[k].removeAttribute('tabindex');
      }
    }
  }

  var pending = false;
  var observer = null;
  function schedule() {
    if (pending) return;
    pending = true;
    // A microtask: before the browser (or a screen reader) sees the frame.
    Promise.resolve().then(function () {
      pending = false;
      repair();
      // The repair's own changes are not news: dropping their records keeps a change that
      // React undoes (or that undoes itself) from feeding an endless chain of microtasks,
      // which froze the page.
      if (observer) observer.takeRecords();
    });
  }

  function start() {
    repair();
    window.addEventListener('resize', schedule);
    observer = new MutationObserver(schedule);
    observer.observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['tabindex', 'aria-expanded'],
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
