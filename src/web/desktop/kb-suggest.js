// Knowledge-base suggestions under the description while the agent types (debounced), and the link
// "answered directly from article X" once the ticket is saved.
import { get, post } from './api.js';
import { getLang } from '../i18n.js';

const DEBOUNCE_MS = 350;
const MIN_CHARS = 2;
const LIMIT = 5;

const LABELS = {
  zh: { heading: '知识库建议', use: '用此条答复', chosen: '已选用', open: '查看全文', close: '收起' },
  en: { heading: 'Knowledge base', use: 'Answer with this', chosen: 'Chosen', open: 'Read', close: 'Hide' },
};
const label = (key) => (getLang() === 'en' ? LABELS.en : LABELS.zh)[key];

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The server sends HTML-escaped text with <mark> around matches; rebuilt here as nodes, never as markup. */
function marked(html) {
  const parts = String(html).split(/<\/?mark>/);
  const fragment = document.createDocumentFragment();
  const decode = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  parts.forEach((part, i) => {
    if (!part) return;
    fragment.append(i % 2 ? el('mark', '', decode(part)) : document.createTextNode(decode(part)));
  });
  return fragment;
}

export function attachKbSuggest(textarea, { fetchSuggestions = (q) => get(`/api/knowledge/search?q=${encodeURIComponent(q)}&limit=${LIMIT}`), onChoose = () => {} } = {}) {
  const panel = el('section', 'kb-suggest');
  panel.hidden = true;
  panel.setAttribute('aria-live', 'polite');
  const heading = el('h4', 'kb-suggest-heading', label('heading'));
  const list = el('ol', 'kb-suggest-list');
  panel.append(heading, list);
  textarea.insertAdjacentElement('afterend', panel);

  let timer = null;
  let asked = '';
  let chosen = null;

  function render(items) {
    heading.textContent = label('heading');
    list.replaceChildren(...items.map((item) => {
      const li = el('li', 'kb-suggest-item');
      li.dataset.articleId = String(item.id);
      const title = el('strong', 'kb-suggest-title');
      title.append(marked(item.titleHtml));
      const excerpt = el('p', 'kb-suggest-snippet');
      excerpt.append(marked(item.snippet));
      const use = el('button', 'kb-suggest-use', chosen === item.id ? label('chosen') : label('use'));
      use.type = 'button';
      use.setAttribute('aria-pressed', String(chosen === item.id));
      use.addEventListener('click', () => {
        chosen = chosen === item.id ? null : item.id;
        render(items);
        if (chosen !== null) onChoose({ id: item.id, title: title.textContent });
      });
      const read = el('button', 'kb-suggest-open', label('open'));
      read.type = 'button';
      read.addEventListener('click', async () => {
        const existing = li.querySelector('.kb-suggest-body');
        if (existing) { existing.remove(); read.textContent = label('open'); return; }
        const article = await get(`/api/knowledge/articles/${item.id}`);
        li.append(el('p', 'kb-suggest-body', article.body));
        read.textContent = label('close');
      });
      li.append(title, excerpt, use, read);
      return li;
    }));
    panel.hidden = items.length === 0;
  }

  async function ask() {
    const q = textarea.value.trim();
    if (q.length < MIN_CHARS) { asked = ''; render([]); return; }
    if (q === asked) return;
    asked = q;
    try {
      const reply = await fetchSuggestions(q);
      if (asked === q) render(reply.items ?? []);
    } catch {
      if (asked === q) asked = '';
    }
  }

  textarea.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(ask, DEBOUNCE_MS);
  });

  return {
    /** The article the agent chose to answer with, if any. */
    chosen: () => chosen,
    /** A new call: forget the suggestions and the choice. */
    reset() { clearTimeout(timer); asked = ''; chosen = null; render([]); },
    /** Records on the saved ticket that it was answered from the chosen article. */
    async linkTicket(ticketId) {
      if (chosen === null) return null;
      return post('/api/knowledge/answers', { ticketId, articleId: chosen });
    },
  };
}
