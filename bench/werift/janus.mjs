// Janus VideoRoom signaling over its HTTP API for the werift cross-check, the same requests
// as `medrtc loadgen --target janus` (src/loadgen/janus_signaling.cpp, janus_messages.cpp):
// rooms created through a setup session (VP8 + Opus, two publishers); per participant one
// session with a publisher handle (joinandconfigure + offer) and a subscriber handle (join
// the other's feed, answer Janus's offer with `start`); events by long poll.
import { request } from './http.mjs';

const PLUGIN = 'janus.plugin.videoroom';
const KEEPALIVE_MS = 25000; // Janus drops a session after 60 s without a request
let transactions = 0;

async function janus(url, path, body) {
  const res = await request('POST', url + path, { body: JSON.stringify({ ...body, transaction: `w${++transactions}` }) });
  if (res.status !== 200) {
    throw new Error(`janus http status ${res.status}`);
  }
  const reply = JSON.parse(res.text);
  if (reply.janus === 'error') {
    throw new Error(`janus error ${reply.error?.code}: ${reply.error?.reason}`);
  }
  const data = reply.plugindata?.data;
  if (data?.error_code) {
    throw new Error(`videoroom error ${data.error_code}: ${data.error}`);
  }
  return reply;
}

function message(body, jsep) {
  return jsep ? { janus: 'message', body, jsep } : { janus: 'message', body };
}

/** Runs VideoRoom requests (create / destroy) through one temporary session. */
async function roomRequests(url, bodies) {
  const session = (await janus(url, '', { janus: 'create' })).data.id;
  try {
    const handle = (await janus(url, `/${session}`, { janus: 'attach', plugin: PLUGIN })).data.id;
    for (const body of bodies) {
      await janus(url, `/${session}/${handle}`, message(body));
    }
  } finally {
    await janus(url, `/${session}`, { janus: 'destroy' }).catch(() => {});
  }
}

/** One room per consultation, as loadgen creates them (bitrate: twice the video's). */
export async function janusSetup({ url, consultations, videoBitrateBps }) {
  const base = 1_000_000 + Math.floor(Math.random() * 1_000_000_000);
  const rooms = Array.from({ length: consultations }, (_, c) => base + c);
  await roomRequests(url, rooms.map((room) => ({
    request: 'create', room, publishers: 2, bitrate: videoBitrateBps * 2, audiocodec: 'opus', videocodec: 'vp8', permanent: false,
  })));
  return rooms;
}

export async function janusTeardown({ url, rooms }) {
  await roomRequests(url, rooms.map((room) => ({ request: 'destroy', room, permanent: false })));
}

export class JanusSignaling {
  constructor({ url, room, participant }) {
    this.url = url;
    this.room = room;
    this.p = participant;
    this.session = 0;
    this.pub = 0;
    this.sub = 0;
    this.ownFeed = 0;
    this.subscribedFeed = 0;
    this.leaving = false;
  }

  async start() {
    this.p.markJoinStart();
    try {
      this.session = (await janus(this.url, '', { janus: 'create' })).data.id;
      this.longPoll();
      this.keepalive = setInterval(() => this.request('', { janus: 'keepalive' }).catch(() => {}), KEEPALIVE_MS);
      this.pub = (await this.request('', { janus: 'attach', plugin: PLUGIN })).data.id;
      this.sub = (await this.request('', { janus: 'attach', plugin: PLUGIN })).data.id;
      const offer = await this.p.publishOffer();
      // the reply is an ack; the answer comes as the "joined" event
      await this.request(`/${this.pub}`, message({ request: 'joinandconfigure', room: this.room, ptype: 'publisher',
        display: this.p.name, audio: true, video: true }, { type: 'offer', sdp: offer, trickle: false }));
    } catch (err) {
      this.p.fail(`janus: ${err.message}`);
    }
  }

  request(path, body) {
    return janus(this.url, `/${this.session}${path}`, body).catch((err) => {
      if (!this.leaving) {
        this.p.fail(`janus: ${err.message}`);
      }
      throw err;
    });
  }

  async longPoll() {
    while (!this.leaving) {
      let events;
      try {
        // Janus answers a long poll after 30 s without events
        const res = await request('GET', `${this.url}/${this.session}?maxev=10`, { timeoutMs: 45000 });
        events = JSON.parse(res.text);
      } catch (err) {
        if (!this.leaving) {
          this.p.fail(`janus long poll: ${err.message}`);
        }
        return;
      }
      for (const e of Array.isArray(events) ? events : [events]) {
        this.onEvent(e);
      }
    }
  }

  onEvent(e) {
    if (e.janus === 'hangup') {
      this.p.fail(`janus hangup: ${e.reason}`);
      return;
    }
    if (e.janus !== 'event') {
      return; // webrtcup, media, slowlink, keepalive: nothing to do
    }
    const data = e.plugindata?.data ?? {};
    if (data.error_code) {
      this.p.fail(`videoroom error ${data.error_code}: ${data.error}`);
      return;
    }
    const failed = (err) => this.p.fail(`janus ${e.jsep?.type ?? 'event'}: ${err.message}`);
    if (e.sender === this.pub) {
      if (data.videoroom === 'joined') {
        this.ownFeed = data.id;
      }
      if (e.jsep?.type === 'answer') {
        this.p.applyPublishAnswer(e.jsep.sdp).catch(failed);
      }
      for (const publisher of data.publishers ?? []) {
        this.subscribe(publisher.id);
      }
    } else if (e.sender === this.sub && e.jsep?.type === 'offer') {
      this.p.answerSubscribeOffer(e.jsep.sdp)
        .then((sdp) => this.request(`/${this.sub}`, message({ request: 'start' }, { type: 'answer', sdp, trickle: false })))
        .catch(failed);
    }
  }

  subscribe(feed) {
    if (this.subscribedFeed || !feed || feed === this.ownFeed) {
      return;
    }
    this.subscribedFeed = feed;
    this.request(`/${this.sub}`, message({ request: 'join', room: this.room, ptype: 'subscriber', streams: [{ feed }] }))
      .catch(() => {});
  }

  leave() {
    this.leaving = true;
    clearInterval(this.keepalive);
    if (this.session) {
      janus(this.url, `/${this.session}`, { janus: 'destroy' }).catch(() => {});
    }
  }
}
