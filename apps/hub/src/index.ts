export { createHub, type Hub, type HubOptions, type StartedHub } from './create-hub.ts';
