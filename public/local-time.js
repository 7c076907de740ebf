// Progressive enhancement: times marked data-local-time arrive as UTC text (what the page shows
// without JavaScript); this shows them in the viewer's time zone, the UTC moment kept in the title.
const localTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

function showLocalTimes(root) {
  root.querySelectorAll('time[data-local-time]').forEach((time) => {
    const moment = new Date(time.getAttribute('datetime'));
    if (Number.isNaN(moment.getTime())) return;
    if (!time.title) time.title = time.textContent;
    time.textContent = localTime.format(moment);
  });
}

showLocalTimes(document);
document.addEventListener('htmx:after:swap', () => showLocalTimes(document));
