// nsqadmin's actions, each behind a confirmation: the request as nsqadmin's UI sends it, then a refresh (or a move
// to another page when the thing shown is gone). The outcome is an action banner.
import { api, bannersOf } from './api.js';
import { confirmAction } from './dialog.js';
import { esc, seg } from './format.js';

async function run(page, question, okLabel, send, done) {
  if (!(await confirmAction(question, okLabel))) {
    return false;
  }
  const result = await send();
  const banners = bannersOf(result);
  page.showActionBanners(banners);
  if (result.ok) {
    if (done) {
      done();
    } else {
      await page.refresh();
    }
  }
  return result.ok;
}

const topicPath = (topic) => `/api/topics/${seg(topic)}`;
const channelPath = (topic, channel) => `/api/topics/${seg(topic)}/${seg(channel)}`;

/** pause, unpause or empty a topic: POST /api/topics/:topic {"action": ...}. */
export function topicAction(page, topic, action) {
  return run(page, `Are you sure you want to <strong>${esc(action)}</strong> topic <em>${esc(topic)}</em>?`, action,
    () => api.post(topicPath(topic), { action }));
}

/** pause, unpause or empty a channel: POST /api/topics/:topic/:channel {"action": ...}. */
export function channelAction(page, topic, channel, action) {
  return run(page, `Are you sure you want to <strong>${esc(action)}</strong> channel <em>${esc(topic)}/${esc(channel)}</em>?`, action,
    () => api.post(channelPath(topic, channel), { action }));
}

/** DELETE /api/topics/:topic, then the topics list (or `after` when given). */
export function deleteTopic(page, topic, after = () => page.navigate('/')) {
  return run(page, `Are you sure you want to <strong>delete</strong> topic <em>${esc(topic)}</em> on every node?`, 'delete',
    () => api.del(topicPath(topic)), after);
}

/** DELETE /api/topics/:topic/:channel, then the topic's page (or `after` when given). */
export function deleteChannel(page, topic, channel, after = () => page.navigate(`/topics/${seg(topic)}`)) {
  return run(page, `Are you sure you want to <strong>delete</strong> channel <em>${esc(topic)}/${esc(channel)}</em> on every node?`, 'delete',
    () => api.del(channelPath(topic, channel)), after);
}

/**
 * DELETE /api/nodes/:node {"topic": ...}: lookupd stops handing out this producer for the topic, and the topic is
 * deleted on that node (as nsqadmin does). `after` runs on success instead of a refresh.
 */
export function tombstoneProducer(page, node, topic, after) {
  return run(page, `Are you sure you want to <strong>tombstone</strong> topic <em>${esc(topic)}</em> on node <em>${esc(node)}</em>? Lookupd stops listing this producer for the topic and the topic is deleted on that node.`, 'tombstone',
    () => api.del(`/api/nodes/${seg(node)}`, { topic }), after);
}

/** POST /api/topics {"topic": ..., "channel": ...}; an empty channel creates the topic only. */
export function createTopicChannel(page, topic, channel) {
  const what = channel ? `channel <em>${esc(topic)}/${esc(channel)}</em>` : `topic <em>${esc(topic)}</em>`;
  return run(page, `Create ${what}?`, 'create', () => api.post('/api/topics', { topic, channel }));
}

/** The form that creates a topic, or a channel with it; `fixedTopic` hides the topic field. */
export function createForm(fixedTopic) {
  const topicField = fixedTopic === undefined
    ? '<input type="text" name="topic" placeholder="Topic Name" aria-label="topic name" required maxlength="64">'
    : `<input type="hidden" name="topic" value="${esc(fixedTopic)}">`;
  const channelRequired = fixedTopic === undefined ? '' : ' required';
  return `<form class="create-form" data-form="create">
    <legend>${fixedTopic === undefined ? 'Create Topic/Channel' : 'Create Channel'}</legend>
    <div class="form-row">${topicField}
      <input type="text" name="channel" placeholder="Channel Name${fixedTopic === undefined ? ' (optional)' : ''}" aria-label="channel name" maxlength="64"${channelRequired}>
      <button class="btn" type="submit">Create</button></div>
  </form>`;
}

/** Wires a createForm() inside `root` to createTopicChannel. */
export function wireCreateForm(page, root) {
  root.addEventListener('submit', (event) => {
    const form = event.target.closest('form[data-form="create"]');
    if (!form) {
      return;
    }
    event.preventDefault();
    const topic = form.elements.topic.value.trim();
    const channel = form.elements.channel.value.trim();
    if (topic === '') {
      return;
    }
    createTopicChannel(page, topic, channel).then((created) => {
      if (created) {
        form.reset();
      }
    });
  });
}
