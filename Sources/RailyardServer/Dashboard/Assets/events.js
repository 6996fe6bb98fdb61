// The one WebSocket a browser holds (/api/v1/events): deployment statuses and log lines for what
// the page shows. It authenticates with its first message (a browser cannot set headers on a
// WebSocket, and a token in the URL would land in logs), subscribes per topic, and reconnects.
import { session } from './api.js';

class Events {
  constructor() {
    this.socket = null;
    this.ready = false;
    this.wasReady = false;
    this.topics = new Map();     // key -> topic, re-sent after a reconnect
    this.listeners = new Set();
    this.backoff = 500;
    this.status = 'offline';
  }

  /** Calls `listener(message)` for every server message; returns a function that stops it. */
  listen(listener) { this.listeners.add(listener); return () => this.listeners.delete(listener); }

  subscribe(topic) {
    const key = JSON.stringify(topic);
    if (this.topics.has(key)) return;
    this.topics.set(key, topic);
    this.connect();
    if (this.ready) this.send({ subscribe: topic });
  }

  unsubscribe(topic) {
    const key = JSON.stringify(topic);
    if (!this.topics.delete(key)) return;
    if (this.ready) this.send({ unsubscribe: topic });
  }

  /** Drops every topic (a new page shows other things). */
  clear() { for (const topic of [...this.topics.values()]) this.unsubscribe(topic); }

  connect() {
    if (this.socket || !session.token) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/events`;
    const socket = new WebSocket(url);
    this.socket = socket;
    this.setStatus('connecting');
    socket.onopen = () => socket.send(JSON.stringify({ token: session.token }));
    socket.onmessage = (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      if (message.type === 'ready') {
        this.ready = true;
        this.backoff = 500;
        this.setStatus('live');
        for (const topic of this.topics.values()) this.send({ subscribe: topic });
        // Events sent while the socket was down are lost: the page reloads what it shows.
        if (this.wasReady) for (const listener of this.listeners) listener({ type: 'resync' });
        this.wasReady = true;
      }
      for (const listener of this.listeners) listener(message);
    };
    socket.onclose = () => {
      this.socket = null;
      this.ready = false;
      this.setStatus('offline');
      if (!session.token) return;
      setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, 15000);
    };
  }

  close() { this.topics.clear(); this.socket?.close(); }

  send(message) { if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message)); }

  setStatus(status) {
    this.status = status;
    const live = document.getElementById('live');
    if (live) { live.textContent = status === 'live' ? '● live' : status === 'connecting' ? '○ connecting…' : '○ offline'; live.dataset.state = status; }
  }
}

export const events = new Events();
