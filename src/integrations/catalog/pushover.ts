/** @module integrations/pushover */
import { defineIntegration } from '../validate.js';
import { formPost } from '../test-requests.js';

/** Where GitLab posts Pushover's messages (`/messages.json` on its BASE_URI). */
export const PUSHOVER_API = 'https://api.pushover.net/1/messages.json';

const SOUNDS = [
  'pushover',
  'bike',
  'bugle',
  'cashregister',
  'classical',
  'cosmic',
  'falling',
  'gamelan',
  'incoming',
  'intermission',
  'magic',
  'mechanical',
  'pianobar',
  'siren',
  'spacealarm',
  'tugboat',
  'alien',
  'climb',
  'persistent',
  'echo',
  'updown',
  'none',
];

export const pushover = defineIntegration({
  slug: 'pushover',
  title: 'Pushover',
  description: 'Get real-time notifications on your device for pushes to the repository.',
  category: 'notification',
  docsUrl: 'https://docs.gitlab.com/user/project/integrations/pushover/',
  levels: ['instance', 'group', 'project'],
  fields: [
    {
      name: 'api_key',
      label: 'API key',
      kind: 'secret',
      required: true,
      placeholder: 'Your application key',
      help: 'The application key of your Pushover application.',
    },
    {
      name: 'user_key',
      label: 'User key',
      kind: 'secret',
      required: true,
      placeholder: 'Your user key',
      help: 'Your user key, or the group key of a delivery group.',
    },
    {
      name: 'device',
      label: 'Devices',
      kind: 'text',
      section: 'configuration',
      placeholder: 'device1, device2',
      help: 'Leave blank to notify all your devices.',
    },
    {
      name: 'priority',
      label: 'Priority',
      kind: 'select',
      section: 'configuration',
      required: true,
      choices: [
        { value: '-2', label: 'Lowest priority' },
        { value: '-1', label: 'Low priority' },
        { value: '0', label: 'Normal priority' },
        { value: '1', label: 'High priority' },
      ],
    },
    {
      name: 'sound',
      label: 'Sound',
      kind: 'select',
      section: 'configuration',
      choices: SOUNDS.map((sound) => ({ value: sound, label: sound[0]!.toUpperCase() + sound.slice(1) })),
      help: 'Leave blank for the device default.',
    },
  ],
  events: [],
  testRequest: ({ fields, message }) => {
    const form = {
      token: fields.api_key,
      user: fields.user_key,
      message,
      title: 'Cascade',
      priority: fields.priority,
      sound: fields.sound,
      device: fields.device,
    };
    const present = Object.entries(form).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '',
    );
    return formPost(PUSHOVER_API, present);
  },
});
