// A live connection (the desktop's /ws, the portal's /ws/portal): reconnects with capped backoff; every frame is JSON {type, ...}.
export function connectLive({ onFrame, onStatus, path = '/ws' }) {
  let socket = null;
  let attempt = 0;
  let timer = null;
  let stopped = false;

  function url() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}${path}`;
  }

  function open() {
    if (stopped) return;
    socket = new WebSocket(url());
    socket.addEventListener('open', () => {
      attempt = 0;
      onStatus('online');
    });
    socket.addEventListener('message', (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      if (frame && typeof frame.type === 'string') onFrame(frame);
    });
    socket.addEventListener('close', (event) => {
      onStatus('offline', event.code);
      socket = null;
      if (stopped) return;
      const delay = Math.min(10000, 500 * 2 ** attempt) + Math.floor(Math.random() * 250);
      attempt++;
      timer = setTimeout(open, delay);
    });
  }

  open();
  return {
    send(frame) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(frame));
        return true;
      }
      return false;
    },
    close() {
      stopped = true;
      clearTimeout(timer);
      if (socket) socket.close(1000, 'bye');
    },
  };
}
