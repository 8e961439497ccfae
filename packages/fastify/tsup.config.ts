// Build config: the workspace's shared one (ESM + CJS + declarations).
export { default } from '../../tsup.config.base';
