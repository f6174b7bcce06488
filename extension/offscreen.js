// Chrome's offscreen document (offscreen.html): answers the service worker's requests to judge
// a page (judge.js). Only the worker sends Message.JUDGE_COPY.
import { judgePage } from './judge.js';

const Message = globalThis.UnsponsorMessages;

chrome.runtime.onMessage.addListener((request, sender, reply) => {
  if (!request || request.type !== Message.JUDGE_COPY || sender.id !== chrome.runtime.id || sender.tab) return false;
  judgePage(request).then(reply);
  return true;
});
