import { contextBridge } from 'electron';
contextBridge.exposeInMainWorld('h5blocks', {});
